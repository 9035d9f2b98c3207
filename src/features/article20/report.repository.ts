import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import { ARTICLE20_KINDS, type Article20Kind } from './article20.js';
import type { Article20DocumentCell } from './article20-form.js';
import { yearEnd, yearStart, type IsoDate } from '../../shared/dates.js';
import { headingColumns } from '../../db/document.sql.js';

type Q = Db | Trx;

/**
 * Documents that Article 20(一) looks at, one row each with the dates every cell is decided by:
 * the two counted kinds, published, led by one of the organs (co-issuers never count:
 * document_co_issuers is not joined). `offset 0` keeps PostgreSQL from inlining the subquery, so
 * each derived date is computed once per document rather than once per cell that uses it.
 */
function article20Rows(db: Q, organIds: number[]) {
  return db
    .selectFrom('documents as d')
    .leftJoin('document_repeals as r', 'r.document_id', 'd.id')
    .where('d.organ_id', 'in', organIds.length ? organIds : [-1])
    .where('d.kind', 'in', [...ARTICLE20_KINDS])
    .where('d.published_on', 'is not', null)
    .select([
      'd.id',
      'd.kind',
      'd.published_on',
      sql<IsoDate>`coalesce(d.signed_on, d.published_on)`.as('issued_on'),
      sql<IsoDate>`coalesce(d.effective_on, d.published_on)`.as('valid_from'),
      // validityEnd(): the earlier of the repeal and the day after expiry (least() skips nulls) ...
      sql<IsoDate | null>`least(r.repealed_on, d.expires_on + 1)`.as('ended_on'),
      // ... and on a tie the repeal is the cause.
      sql<boolean>`coalesce(r.repealed_on <= d.expires_on + 1, r.repealed_on is not null)`.as('ended_by_repeal'),
    ])
    .offset(0)
    .as('x');
}

/** In force at the end of `day`: the status table of DESIGN.md over the derived dates. */
function inForceOn(day: IsoDate): RawBuilder<SqlBool> {
  return sql<SqlBool>`(x.published_on <= ${day}::date and x.valid_from <= ${day}::date and coalesce(x.ended_on > ${day}::date, true))`;
}

/** Issued by the end of `day` and its validity not ended: in force, or waiting to be. */
function liveOn(day: IsoDate): RawBuilder<SqlBool> {
  return sql<SqlBool>`(x.issued_on <= ${day}::date and coalesce(x.ended_on > ${day}::date, true))`;
}

/**
 * The SQL twin of classifyForArticle20, isPendingAtYearEnd and reconciliationResidual: one
 * predicate per cell of the report, over the rows of article20Rows(), never NULL (they are summed
 * as integers). An integration test checks that both sides agree document by document on a table
 * of edge cases.
 */
function article20Predicates(year: number): Record<Article20DocumentCell, RawBuilder<SqlBool>> {
  const start = yearStart(year);
  const end = yearEnd(year);
  const previousEnd = yearEnd(year - 1);
  const issued = sql<SqlBool>`(x.issued_on between ${start}::date and ${end}::date)`;
  const ended = sql<SqlBool>`coalesce(x.ended_on between ${start}::date and ${end}::date, false)`;
  const inForce = inForceOn(end);
  const inForcePrevious = inForceOn(previousEnd);
  const pending = sql<SqlBool>`(${liveOn(end)} and not ${inForce})`;
  const pendingPrevious = sql<SqlBool>`(${liveOn(previousEnd)} and not ${inForcePrevious})`;
  const n = (p: RawBuilder<SqlBool>) => sql<number>`(${p})::int`;
  return {
    issued,
    ended,
    ended_repealed: sql<SqlBool>`(${ended} and x.ended_by_repeal)`,
    ended_expired: sql<SqlBool>`(${ended} and not x.ended_by_repeal)`,
    in_force: inForce,
    in_force_previous: inForcePrevious,
    pending_previous: pendingPrevious,
    pending,
    differences: sql<SqlBool>`(${n(inForce)} - ${n(inForcePrevious)} - ${n(pendingPrevious)} - ${n(issued)} + ${n(ended)} + ${n(pending)} <> 0)`,
  };
}

export type Article20DocumentCounts = Record<Article20DocumentCell, number>;

/** Every cell of Article 20(一) and its reconciliation, per kind, in one pass over the documents. */
export async function countArticle20Documents(db: Q, organIds: number[], year: number): Promise<Record<Article20Kind, Article20DocumentCounts>> {
  const p = article20Predicates(year);
  const cells = Object.keys(p) as Article20DocumentCell[];
  const rows = await db
    .selectFrom(article20Rows(db, organIds))
    .select('x.kind')
    .select(cells.map((cell) => sql<string>`count(*) filter (where ${p[cell]})`.as(cell)))
    .groupBy('x.kind')
    .execute();
  const zero = () => Object.fromEntries(cells.map((c) => [c, 0])) as Article20DocumentCounts;
  const result: Record<Article20Kind, Article20DocumentCounts> = { rule: zero(), normative: zero() };
  for (const row of rows) {
    const record = row as unknown as Record<string, string>;
    const target = result[row.kind as Article20Kind];
    for (const cell of cells) target[cell] = Number(record[cell]);
  }
  return result;
}

/**
 * The documents behind one cell, in issue order. `visibleBy` (the public's today) hides documents
 * not yet published then: they are counted, since the report is as of 31 December, but not shown.
 */
export async function listArticle20Documents(
  db: Q,
  filter: { organIds: number[]; year: number; kind: Article20Kind; cell: Article20DocumentCell; visibleBy: IsoDate | null; offset: number; limit: number },
) {
  const p = article20Predicates(filter.year);
  const base = db.selectFrom(article20Rows(db, filter.organIds)).where('x.kind', '=', filter.kind).where(p[filter.cell]);
  const visible = filter.visibleBy === null ? base : base.where('x.published_on', '<=', filter.visibleBy);
  const [count, rows] = await Promise.all([
    base
      .select([
        (eb) => eb.fn.countAll<string>().as('total'),
        sql<string>`count(*) filter (where x.published_on <= ${filter.visibleBy ?? '9999-12-31'}::date)`.as('visible'),
      ])
      .executeTakeFirstOrThrow(),
    visible
      .innerJoin('documents as d', 'd.id', 'x.id')
      .innerJoin('organs as o', 'o.id', 'd.organ_id')
      .leftJoin('document_repeals as r', 'r.document_id', 'd.id')
      .select([...headingColumns, 'x.ended_on', 'x.ended_by_repeal'])
      .orderBy('x.issued_on')
      .orderBy('d.id')
      .offset(filter.offset)
      .limit(filter.limit)
      .execute(),
  ]);
  return { total: Number(count.visible), hidden: Number(count.total) - Number(count.visible), rows };
}
