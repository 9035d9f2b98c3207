import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';

export interface SectionTexts {
  one: string;
  five: string;
  six: string;
}

export async function findTexts(db: Db | Trx, organId: number, year: number): Promise<(SectionTexts & { updated_at: Date }) | undefined> {
  return db
    .selectFrom('annual_report_texts')
    .select(['section_one as one', 'section_five as five', 'section_six as six', 'updated_at'])
    .where('organ_id', '=', organId)
    .where('year', '=', year)
    .executeTakeFirst();
}

export async function saveTexts(trx: Trx, organId: number, year: number, texts: SectionTexts, userId: number | null): Promise<void> {
  const values = { section_one: texts.one, section_five: texts.five, section_six: texts.six, updated_by: userId };
  await trx
    .insertInto('annual_report_texts')
    .values({ organ_id: organId, year, ...values })
    .onConflict((oc) => oc.columns(['organ_id', 'year']).doUpdateSet({ ...values, updated_at: sql`now()` }))
    .execute();
}

export interface PublicationKey {
  organ_id: number;
  year: number;
  subtree: boolean;
}

export async function findPublication(db: Db | Trx, key: PublicationKey, withDocx = false) {
  const row = await db
    .selectFrom('annual_report_publications')
    .select(['id', 'report', 'finalised_at', 'finalised_by'])
    .$if(withDocx, (q) => q.select('docx'))
    .where('organ_id', '=', key.organ_id)
    .where('year', '=', key.year)
    .where('subtree', '=', key.subtree)
    .executeTakeFirst();
  return row as (typeof row & { docx?: Buffer }) | undefined;
}

/** Inserts the publication unless one exists for the key; the new id, or undefined. */
export async function insertPublication(trx: Trx, key: PublicationKey, report: unknown, docx: Buffer, userId: number | null): Promise<number | undefined> {
  const row = await trx
    .insertInto('annual_report_publications')
    .values({ ...key, report: JSON.stringify(report), docx, finalised_by: userId })
    .onConflict((oc) => oc.constraint('annual_report_publications_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}
