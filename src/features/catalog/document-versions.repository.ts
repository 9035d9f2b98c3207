import type { Db, Trx } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import { documentsWithRepeal, summaryColumns } from '../../db/document.sql.js';

type Q = Db | Trx;

/** A document's versions, oldest first, each with its amending document's heading (no bodies). */
export function versionsOfDocument(db: Q, documentId: number) {
  return db
    .selectFrom('document_versions as v')
    .leftJoin('documents as a', 'a.id', 'v.amended_by_document_id')
    .select([
      'v.number',
      'v.effective_on',
      'v.note',
      'v.file_sha256',
      'v.file_name',
      'v.amended_by_document_id',
      'a.doc_number as amended_by_doc_number',
      'a.title as amended_by_title',
      'a.published_on as amended_by_published_on',
    ])
    .where('v.document_id', '=', documentId)
    .orderBy('v.number')
    .execute();
}

export type VersionRecord = Awaited<ReturnType<typeof versionsOfDocument>>[number];

export async function versionBody(db: Q, documentId: number, number: number): Promise<string | undefined> {
  const row = await db
    .selectFrom('document_versions')
    .select('body')
    .where('document_id', '=', documentId)
    .where('number', '=', number)
    .executeTakeFirst();
  return row?.body;
}

export async function insertVersion(
  trx: Trx,
  v: {
    documentId: number;
    number: number;
    effectiveOn: IsoDate;
    amendedBy: number | null;
    body: string;
    note: string | null;
    file: { sha256: string; name: string } | null;
    userId: number | null;
  },
): Promise<void> {
  await trx
    .insertInto('document_versions')
    .values({
      document_id: v.documentId,
      number: v.number,
      effective_on: v.effectiveOn,
      amended_by_document_id: v.amendedBy,
      body: v.body,
      note: v.note,
      file_sha256: v.file?.sha256 ?? null,
      file_name: v.file?.name ?? null,
      created_by: v.userId,
    })
    .execute();
}

/** An edit of the body of an amended document is an edit of its newest version's text. */
export async function setNewestVersionBody(trx: Trx, documentId: number, body: string): Promise<void> {
  await trx
    .updateTable('document_versions')
    .set({ body })
    .where('document_id', '=', documentId)
    .where('number', '=', (eb) => eb.selectFrom('document_versions').select((s) => s.fn.max('number').as('n')).where('document_id', '=', documentId))
    .execute();
}

/** Every document whose 文号 has this key, whatever its organ and kind (an amending document named by 文号). */
export function findDocumentsByNumberKey(db: Q, key: string) {
  return documentsWithRepeal(db).select(summaryColumns).where('d.doc_number_key', '=', key).orderBy('d.id').limit(5).execute();
}

/** Whether document `documentId` has a version taking effect on `day` (a re-run import adds it once). */
export async function hasVersionOn(db: Q, documentId: number, day: IsoDate): Promise<boolean> {
  const row = await db.selectFrom('document_versions').select('id').where('document_id', '=', documentId).where('effective_on', '=', day).executeTakeFirst();
  return row !== undefined;
}
