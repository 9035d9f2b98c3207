import { KIND_LABELS, type DocumentKind } from '../../shared/document-status.js';

/** What every listing of documents shows first: who issued what, with the kind's Chinese label. */
export function documentHeading(row: { id: number; kind: string; title: string; doc_number: string | null; organ_id: number; organ_name: string }) {
  const kind = row.kind as DocumentKind;
  return {
    id: row.id,
    kind,
    kind_label: KIND_LABELS[kind],
    title: row.title,
    doc_number: row.doc_number,
    organ_id: row.organ_id,
    organ_name: row.organ_name,
  };
}
