import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';

type Q = Db | Trx;

export interface FeeValues {
  organ_id: number;
  item: string;
  amount_fen: bigint;
  collected_on: IsoDate;
  receipt_number: string | null;
}

/** Like the decision staging table: the rows of one import, gone with its transaction. */
export async function createFeeStaging(trx: Trx): Promise<void> {
  await sql`create temp table fee_import (
              row integer not null, organ_id integer not null, item text not null, amount_fen bigint not null,
              collected_on date not null, receipt_number text
            ) on commit drop`.execute(trx);
}

export async function stageFees(trx: Trx, rows: (FeeValues & { row: number })[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into fee_import (row, organ_id, item, amount_fen, collected_on, receipt_number)
            select * from unnest(${rows.map((r) => r.row)}::integer[], ${rows.map((r) => r.organ_id)}::integer[],
              ${rows.map((r) => r.item)}::text[], ${rows.map((r) => r.amount_fen.toString())}::bigint[],
              ${rows.map((r) => r.collected_on)}::date[], ${rows.map((r) => r.receipt_number)}::text[])`.execute(trx);
}

/**
 * Moves the staged rows into `fees`. The natural key of a fee record is its receipt number at the
 * organ when the ledger has one; otherwise (organ, item, day, amount, occurrence), where occurrence
 * numbers the identical rows of the file in file order. So a file imported again, or a later file
 * that repeats a day in full, adds nothing, while two equal payments on one day stay two.
 */
export async function mergeStagedFees(trx: Trx, userId: number | null): Promise<number> {
  const result = await sql`insert into fees (organ_id, item, amount_fen, collected_on, receipt_number, occurrence, created_by)
                           select organ_id, item, amount_fen, collected_on, receipt_number,
                                  case when receipt_number is null
                                       then row_number() over (partition by organ_id, item, collected_on, amount_fen, receipt_number is null order by row)
                                       else 1 end,
                                  ${userId}::integer
                           from fee_import order by row
                           on conflict do nothing`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

/**
 * A fee typed in by hand is a new payment: without a receipt number it takes the next occurrence
 * of its (organ, item, day, amount). undefined when its receipt number is already stored.
 */
export async function insertFee(trx: Trx, values: FeeValues, userId: number | null): Promise<number | undefined> {
  const occurrence =
    values.receipt_number === null
      ? sql<number>`(select coalesce(max(occurrence), 0) + 1 from fees
                     where organ_id = ${values.organ_id} and item = ${values.item} and collected_on = ${values.collected_on}::date
                       and amount_fen = ${values.amount_fen.toString()}::bigint and receipt_number is null)`
      : sql<number>`1`;
  const row = await trx
    .insertInto('fees')
    .values({
      organ_id: values.organ_id,
      item: values.item,
      amount_fen: values.amount_fen.toString(),
      collected_on: values.collected_on,
      receipt_number: values.receipt_number,
      occurrence,
      created_by: userId,
    })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

/** Fen collected in [from, to] by the given organs, summed in the database (an index-only scan). */
export async function sumFees(db: Q, organIds: number[], from: IsoDate, to: IsoDate): Promise<bigint> {
  if (organIds.length === 0) return 0n;
  const row = await db
    .selectFrom('fees')
    .select(sql<string>`coalesce(sum(amount_fen), 0)::text`.as('fen'))
    .where('organ_id', 'in', organIds)
    .where('collected_on', '>=', from)
    .where('collected_on', '<=', to)
    .executeTakeFirstOrThrow();
  return BigInt(row.fen);
}

export async function listFees(db: Q, filter: { organIds: number[]; from: IsoDate; to: IsoDate; offset: number; limit: number }) {
  if (filter.organIds.length === 0) return { total: 0, rows: [] };
  const query = db
    .selectFrom('fees as f')
    .where('f.organ_id', 'in', filter.organIds)
    .where('f.collected_on', '>=', filter.from)
    .where('f.collected_on', '<=', filter.to);
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    query
      .innerJoin('organs as o', 'o.id', 'f.organ_id')
      .select(['f.id', 'f.item', 'f.amount_fen', 'f.collected_on', 'f.receipt_number', 'f.organ_id', 'o.name as organ_name'])
      .orderBy('f.collected_on')
      .orderBy('f.id')
      .offset(filter.offset)
      .limit(filter.limit)
      .execute(),
  ]);
  return { total: Number(count.n), rows };
}
