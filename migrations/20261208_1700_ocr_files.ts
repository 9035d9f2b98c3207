import type { Kysely } from 'kysely';

// Frozen: a file whose text was read from its page images by OCR (a scan, an image upload) is marked
// apart from one with a real text layer: staff check such text before publishing it as the body.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('document_files').addColumn('ocr', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('document_files').dropColumn('ocr').execute();
}
