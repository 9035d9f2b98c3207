export const FILE_TYPES = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  text: 'text/plain; charset=utf-8',
} as const;

export type SniffedType = keyof typeof FILE_TYPES;

/** The type from the bytes, never from the name: a .pdf that is a zip is a zip. */
export function sniffFileType(bytes: Buffer): SniffedType | null {
  if (bytes.length === 0) return null;
  if (bytes.subarray(0, 1024).includes('%PDF-')) return 'pdf';
  // A DOCX is a zip whose entries include word/document.xml; entry names are stored uncompressed.
  if (bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]))) {
    return bytes.includes('word/document.xml') ? 'docx' : null;
  }
  if (bytes.includes(0)) return null;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return 'text';
  } catch {
    return null;
  }
}
