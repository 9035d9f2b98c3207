import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import type { DecisionKind } from './article20.js';
import type { IsoDate } from '../../shared/dates.js';

type Q = Db | Trx;

export interface DecisionValues {
  kind: DecisionKind;
  organ_id: number;
  decision_number: string;
  decision_number_key: string;
  decided_on: IsoDate;
}

/**
 * Rows of one import wait in a temporary table until the whole file has been read and found
 * valid; it belongs to the transaction and disappears with it, committed or not.
 */
export async function createDecisionStaging(trx: Trx): Promise<void> {
  await sql`create temp table decision_import (
              row integer not null, kind text not null, organ_id integer not null,
              decision_number text not null, decision_number_key text not null, decided_on date not null
            ) on commit drop`.execute(trx);
}

/** One statement per batch whatever its size: the columns travel as six arrays. */
export async function stageDecisions(trx: Trx, rows: (DecisionValues & { row: number })[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`insert into decision_import (row, kind, organ_id, decision_number, decision_number_key, decided_on)
            select * from unnest(${rows.map((r) => r.row)}::integer[], ${rows.map((r) => r.kind)}::text[],
              ${rows.map((r) => r.organ_id)}::integer[], ${rows.map((r) => r.decision_number)}::text[],
              ${rows.map((r) => r.decision_number_key)}::text[], ${rows.map((r) => r.decided_on)}::date[])`.execute(trx);
}

/**
 * Moves the staged rows into `decisions`, skipping every decision already stored and every repeat
 * within the file (the first spelling wins); returns how many were new.
 */
export async function mergeStagedDecisions(trx: Trx, userId: number | null): Promise<number> {
  const result = await sql`insert into decisions (kind, organ_id, decision_number, decision_number_key, decided_on, created_by)
                           select kind, organ_id, decision_number, decision_number_key, decided_on, ${userId}::integer
                           from decision_import order by row
                           on conflict do nothing`.execute(trx);
  return Number(result.numAffectedRows ?? 0n);
}

/** undefined when the same decision (kind, organ, number) is already stored. */
export async function insertDecision(trx: Trx, values: DecisionValues, userId: number | null): Promise<number | undefined> {
  const row = await trx
    .insertInto('decisions')
    .values({ ...values, created_by: userId })
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export function findDecisionByKey(db: Q, key: Pick<DecisionValues, 'kind' | 'organ_id' | 'decision_number_key'>) {
  return db
    .selectFrom('decisions')
    .select(['id', 'decision_number', 'decided_on'])
    .where('kind', '=', key.kind)
    .where('organ_id', '=', key.organ_id)
    .where('decision_number_key', '=', key.decision_number_key)
    .executeTakeFirst();
}

/** Decisions per kind decided in [from, to] by the given organs: an index-only count. */
export async function countDecisionsByKind(db: Q, organIds: number[], from: IsoDate, to: IsoDate): Promise<Record<DecisionKind, number>> {
  const counts: Record<DecisionKind, number> = { licensing: 0, penalty: 0, enforcement: 0 };
  if (organIds.length === 0) return counts;
  const rows = await db
    .selectFrom('decisions')
    .select(['kind', (eb) => eb.fn.countAll<string>().as('n')])
    .where('organ_id', 'in', organIds)
    .where('decided_on', '>=', from)
    .where('decided_on', '<=', to)
    .groupBy('kind')
    .execute();
  for (const row of rows) counts[row.kind] = Number(row.n);
  return counts;
}

export async function listDecisions(
  db: Q,
  filter: { organIds: number[]; kind: DecisionKind; from: IsoDate; to: IsoDate; offset: number; limit: number },
) {
  if (filter.organIds.length === 0) return { total: 0, rows: [] };
  const query = db
    .selectFrom('decisions as x')
    .where('x.organ_id', 'in', filter.organIds)
    .where('x.kind', '=', filter.kind)
    .where('x.decided_on', '>=', filter.from)
    .where('x.decided_on', '<=', filter.to);
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    query
      .innerJoin('organs as o', 'o.id', 'x.organ_id')
      .select(['x.id', 'x.kind', 'x.decision_number', 'x.decided_on', 'x.organ_id', 'o.name as organ_name'])
      .orderBy('x.decided_on')
      .orderBy('x.id')
      .offset(filter.offset)
      .limit(filter.limit)
      .execute(),
  ]);
  return { total: Number(count.n), rows };
}
