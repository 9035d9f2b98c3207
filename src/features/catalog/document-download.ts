import path from 'node:path';
import type { Response } from 'express';
import { cleanFileName } from '../intake/file-type.js';
import type { DocumentService } from './document.service.js';

/** A document's original downloads as `{标题}.{its real extension}`, not under the uploader's name. */
export function downloadName(title: string, storedName: string): string {
  const stem = cleanFileName(title).replace(/[\\/]/g, '').slice(0, 150) || '原件';
  return stem + path.extname(storedName).toLowerCase();
}

const FILE_TYPE_LABELS: Record<string, string> = {
  'application/pdf': 'PDF',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'Word',
  'application/msword': 'Word',
  'text/plain': '文本',
};

/** A stored type in words (PDF, Word, 文本); an unknown one as it is. */
export const fileTypeLabel = (type: string) => FILE_TYPE_LABELS[type.split(';')[0]!.trim()] ?? type;

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} 字节`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** What a download link says of the file: its format and size (PDF，12.3 KB). */
export const fileSummary = (type: string, size: number) => `${fileTypeLabel(type)}，${formatSize(size)}`;

/** Streams `file` as the response; undefined tells an API route the response is written. */
export function sendDocumentFile(res: Response, file: Awaited<ReturnType<DocumentService['openFile']>>): undefined {
  // attachment() writes filename* (RFC 5987) so the Chinese name survives; the stored type wins over the extension's.
  res.attachment(file.name);
  res.setHeader('Content-Type', file.type);
  res.setHeader('Content-Length', String(file.size));
  res.setHeader('X-Content-Type-Options', 'nosniff');
  file.stream.on('error', () => res.destroy());
  file.stream.pipe(res);
  return undefined;
}
