import { DOCUMENT_KINDS, KIND_LABELS, type DocumentKind } from '../../shared/document-status.js';

/** What one search ranks together: documents of every kind, and interpretations. */
export const RECORD_KINDS = [...DOCUMENT_KINDS, 'interpretation'] as const;
export type RecordKind = DocumentKind | 'interpretation';

const INTERPRETATION_KIND_LABEL = '政策解读';

/** 规章, 行政规范性文件 … or 政策解读. */
export const kindLabel = (kind: RecordKind) => (kind === 'interpretation' ? INTERPRETATION_KIND_LABEL : KIND_LABELS[kind]);
