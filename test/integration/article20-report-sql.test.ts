import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyForArticle20,
  countArticle20,
  isPendingAtYearEnd,
  reconcileArticle20,
  reconciliationResidual,
  type Article20Document,
  type Article20Kind,
} from '../../src/features/article20/article20.js';
import { ARTICLE20_DOCUMENT_CELLS, type Article20DocumentCell } from '../../src/features/article20/article20-form.js';
import type { DocumentKind } from '../../src/shared/document-status.js';
import { countArticle20Documents, listArticle20Documents } from '../../src/features/article20/report.repository.js';
import { fixedClock } from '../../src/platform/clock.js';
import { createTestContext, type TestContext } from '../support/context.js';

/**
 * The SQL of report.repository.ts and the pure rules of domain/article20.ts must agree on every
 * cell and every document, on a table of documents that holds every edge of DESIGN.md.
 */

interface Row extends Article20Document {
  label: string;
  /** 'A' is the organ reported on, 'B' its sub-organ, 'C' an unrelated organ. */
  lead: 'A' | 'B' | 'C';
  co?: ('A' | 'B' | 'C')[];
}

const base = { signed_on: null, effective_on: null, expires_on: null, repealed_on: null } as const;
const r = (label: string, lead: Row['lead'], kind: DocumentKind, dates: Partial<Article20Document>, co?: Row['co']): Row => ({
  label,
  lead,
  kind,
  ...base,
  published_on: '2023-03-01',
  ...dates,
  ...(co ? { co } : {}),
});

const ROWS: Row[] = [
  r('issued this year, in force', 'A', 'normative', { signed_on: '2023-02-20', published_on: '2023-02-25' }),
  r('issued last year, in force', 'A', 'normative', { signed_on: '2022-05-01', published_on: '2022-05-10' }),
  r('no signed_on: published 31 Dec', 'A', 'normative', { published_on: '2023-12-31' }),
  r('repealed on 31 Dec', 'A', 'normative', { published_on: '2021-03-01', repealed_on: '2023-12-31' }),
  r('repealed on 1 Jan', 'A', 'normative', { published_on: '2021-03-01', repealed_on: '2023-01-01' }),
  r('repealed 1 Jan next year', 'A', 'normative', { published_on: '2021-03-01', repealed_on: '2024-01-01' }),
  r('expires on 31 Dec', 'A', 'normative', { published_on: '2021-03-01', expires_on: '2023-12-31' }),
  r('expires on 31 Dec of last year', 'A', 'normative', { published_on: '2021-03-01', expires_on: '2022-12-31' }),
  r('expires on 30 Dec', 'A', 'normative', { published_on: '2021-03-01', expires_on: '2023-12-30' }),
  r('issued and repealed in one year', 'A', 'normative', { signed_on: '2023-02-01', published_on: '2023-02-03', repealed_on: '2023-09-01' }),
  r('issued and expired in one year', 'A', 'normative', { signed_on: '2023-02-01', published_on: '2023-02-03', expires_on: '2023-08-31' }),
  r('not yet effective on 31 Dec', 'A', 'normative', { signed_on: '2023-12-10', published_on: '2023-12-15', effective_on: '2024-01-01' }),
  r('effective on 31 Dec', 'A', 'normative', { signed_on: '2023-12-10', published_on: '2023-12-15', effective_on: '2023-12-31' }),
  r('signed Dec, published Jan', 'A', 'normative', { signed_on: '2022-12-28', published_on: '2023-01-05' }),
  r('signed Dec, published Jan (this year)', 'A', 'normative', { signed_on: '2023-12-28', published_on: '2024-01-04' }),
  r('expired, then repealed', 'A', 'normative', { published_on: '2020-01-01', expires_on: '2022-06-30', repealed_on: '2023-03-01' }),
  r('repealed the day after its last valid day', 'A', 'normative', { published_on: '2020-01-01', expires_on: '2023-06-30', repealed_on: '2023-07-01' }),
  r('repealed before its term ran out', 'A', 'normative', { published_on: '2020-01-01', expires_on: '2025-12-31', repealed_on: '2023-07-01' }),
  r('not yet effective, repealed before', 'A', 'normative', { published_on: '2023-12-15', effective_on: '2024-01-01', repealed_on: '2023-12-31' }),
  r('draft', 'A', 'normative', { signed_on: '2023-06-01', published_on: null }),
  r('draft with an expiry', 'A', 'normative', { published_on: null, effective_on: '2022-01-01', expires_on: '2023-05-01' }),
  // The database checks a term against publication, but a repeal is a row of its own.
  r('repealed before it was published (dates contradict)', 'A', 'normative', { published_on: '2024-01-05', repealed_on: '2023-06-30' }),
  r('rule, in force', 'A', 'rule', { published_on: '2019-01-01' }),
  r('rule, issued', 'A', 'rule', { signed_on: '2023-05-01', published_on: '2023-05-10' }),
  r('rule, repealed on 31 Dec', 'A', 'rule', { published_on: '2019-01-01', repealed_on: '2023-12-31' }),
  r('law: not counted', 'A', 'law', { signed_on: '2023-03-01', published_on: '2023-03-01' }),
  r('administrative regulation: not counted', 'A', 'administrative_regulation', { published_on: '2020-01-01', repealed_on: '2023-04-01' }),
  r('local regulation: not counted', 'A', 'local_regulation', { published_on: '2020-01-01', expires_on: '2023-04-01' }),
  r('other: not counted', 'A', 'other', { published_on: '2020-01-01' }),
  r('joint: led by C, A co-issues', 'C', 'normative', { signed_on: '2023-04-01', published_on: '2023-04-02' }, ['A', 'B']),
  r('joint: led by A, C co-issues', 'A', 'rule', { signed_on: '2023-04-01', published_on: '2023-04-02' }, ['C']),
  r('sub-organ: issued', 'B', 'normative', { signed_on: '2023-06-01', published_on: '2023-06-02' }),
  r('sub-organ: expired', 'B', 'rule', { published_on: '2020-06-01', expires_on: '2023-05-31' }),
  r('unrelated organ', 'C', 'normative', { signed_on: '2023-06-01', published_on: '2023-06-02' }),
];

let ctx: TestContext;
const organs = {} as Record<Row['lead'], number>;
const ids = new Map<Row, number>();

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2025-06-30') });
  const insertOrgan = async (name: string, parent: number | null) =>
    (await ctx.db.insertInto('organs').values({ name, parent_id: parent }).returning('id').executeTakeFirstOrThrow()).id;
  organs.A = await insertOrgan('甲县人民政府', null);
  organs.B = await insertOrgan('甲县教育局', organs.A);
  organs.C = await insertOrgan('乙县人民政府', null);
  for (const row of ROWS) {
    const { id } = await ctx.db
      .insertInto('documents')
      .values({
        kind: row.kind,
        title: row.label,
        organ_id: organs[row.lead],
        signed_on: row.signed_on,
        published_on: row.published_on,
        effective_on: row.effective_on,
        expires_on: row.expires_on,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.set(row, id);
    if (row.repealed_on) await ctx.db.insertInto('document_repeals').values({ document_id: id, repealed_on: row.repealed_on }).execute();
    for (const [position, co] of (row.co ?? []).entries()) {
      await ctx.db.insertInto('document_co_issuers').values({ document_id: id, organ_id: organs[co], position }).execute();
    }
  }
});
afterAll(() => ctx?.close());

/** The pure answer for one cell: which documents it holds. */
function pureCell(doc: Article20Document, year: number, cell: Article20DocumentCell): boolean {
  const c = classifyForArticle20(doc, year);
  switch (cell) {
    case 'issued':
      return c.issued;
    case 'ended':
      return c.ended !== null;
    case 'ended_repealed':
      return c.ended === 'repealed';
    case 'ended_expired':
      return c.ended === 'expired';
    case 'in_force':
      return c.inForce;
    case 'in_force_previous':
      return classifyForArticle20(doc, year - 1).inForce;
    case 'pending_previous':
      return isPendingAtYearEnd(doc, year - 1);
    case 'pending':
      return isPendingAtYearEnd(doc, year);
    case 'differences':
      return reconciliationResidual(doc, year) !== 0;
  }
}

const SCOPES = [
  { label: 'organ A alone', leads: ['A'] as Row['lead'][] },
  { label: 'organ A with its sub-organ', leads: ['A', 'B'] as Row['lead'][] },
];
const YEARS = [2021, 2022, 2023, 2024, 2025];
const KINDS: Article20Kind[] = ['rule', 'normative'];

describe('Article 20(一) in SQL agrees with the pure rules', () => {
  it('inserted the whole table', () => {
    expect(ids.size).toBe(ROWS.length);
  });

  for (const scope of SCOPES) {
    describe(scope.label, () => {
      const docs = () => ROWS.filter((row) => scope.leads.includes(row.lead));
      const organIds = () => scope.leads.map((l) => organs[l]);

      it.each(YEARS)('counts every cell in %i', async (year) => {
        const sql = await countArticle20Documents(ctx.db, organIds(), year);
        const counts = countArticle20(docs(), year);
        const reconciliation = reconcileArticle20(docs(), year);
        for (const kind of KINDS) {
          expect(sql[kind], `${kind} ${year}`).toEqual({
            ...counts[kind],
            in_force_previous: reconciliation[kind].in_force_previous,
            pending_previous: reconciliation[kind].pending_previous,
            pending: reconciliation[kind].pending,
            differences: docs().filter((d) => d.kind === kind && reconciliationResidual(d, year) !== 0).length,
          });
        }
      });

      it.each(YEARS)('lists the same documents behind every cell in %i', async (year) => {
        for (const kind of KINDS) {
          for (const cell of ARTICLE20_DOCUMENT_CELLS) {
            const listed = await listArticle20Documents(ctx.db, { organIds: organIds(), year, kind, cell, visibleBy: null, offset: 0, limit: 100 });
            const expected = docs()
              .filter((d) => d.kind === kind && pureCell(d, year, cell))
              .map((d) => d.label)
              .sort();
            expect(listed.rows.map((row) => row.title).sort(), `${kind}.${cell} ${year}`).toEqual(expected);
            expect(listed.total).toBe(expected.length);
          }
        }
      });
    });
  }

  it('counts joint documents only for their lead organ', async () => {
    const a = await countArticle20Documents(ctx.db, [organs.A], 2023);
    const c = await countArticle20Documents(ctx.db, [organs.C], 2023);
    // A leads one joint rule; C leads one joint normative document besides its own.
    expect(a.rule.issued).toBe(2);
    expect(c.normative.issued).toBe(2);
    const joint = ROWS.find((row) => row.label.startsWith('joint: led by C'))!;
    const listed = await listArticle20Documents(ctx.db, { organIds: [organs.A, organs.B], year: 2023, kind: 'normative', cell: 'issued', visibleBy: null, offset: 0, limit: 100 });
    expect(listed.rows.map((row) => row.id)).not.toContain(ids.get(joint));
  });

  it('splits 本年废止 into repealed and expired, with the day validity ended', async () => {
    const listed = await listArticle20Documents(ctx.db, { organIds: [organs.A], year: 2023, kind: 'normative', cell: 'ended', visibleBy: null, offset: 0, limit: 100 });
    const byTitle = new Map(listed.rows.map((row) => [row.title, row]));
    expect(byTitle.get('repealed on 31 Dec')).toMatchObject({ ended_on: '2023-12-31', ended_by_repeal: true });
    expect(byTitle.get('expires on 31 Dec of last year')).toMatchObject({ ended_on: '2023-01-01', ended_by_repeal: false });
    expect(byTitle.get('repealed the day after its last valid day')).toMatchObject({ ended_on: '2023-07-01', ended_by_repeal: true });
    expect(byTitle.has('expires on 31 Dec')).toBe(false);
  });

  it('lists the document whose dates contradict each other, and only it', async () => {
    const report = await ctx.services.reports.article20(null, { year: 2023, organ_id: organs.A, subtree: false });
    expect(report.reconciliation.balanced).toBe(false);
    expect(report.reconciliation.normative).toMatchObject({ difference: 1, differing_documents: 1 });
    expect(report.reconciliation.normative.documents.map((d) => d.title)).toEqual(['repealed before it was published (dates contradict)']);
    expect(report.reconciliation.normative.documents[0]).toMatchObject({ reconciliation_residual: 1, ended_by: 'repealed', ended_on: '2023-06-30' });
    // The next year it shows again, the other way round: issued in 2024, never in force.
    const next = await ctx.services.reports.article20(null, { year: 2024, organ_id: organs.A, subtree: false });
    expect(next.reconciliation.normative).toMatchObject({ difference: -1, differing_documents: 1 });
    expect(report.reconciliation.rules).toMatchObject({ difference: 0, differing_documents: 0, documents: [] });
    const r = report.reconciliation.normative;
    expect(r.expected_in_force).toBe(r.in_force_previous + r.pending_previous + r.issued - r.ended - r.pending);
  });

  it('hides from the public, but counts, documents not published by today', async () => {
    const clocked = await createTestContext({ clock: fixedClock('2024-01-02') });
    try {
      const organ = (await clocked.db.insertInto('organs').values({ name: '丙县人民政府' }).returning('id').executeTakeFirstOrThrow()).id;
      await clocked.db
        .insertInto('documents')
        .values([
          { kind: 'normative', title: '已公布', organ_id: organ, signed_on: '2023-12-01', published_on: '2023-12-02' },
          { kind: 'normative', title: '一月公布', organ_id: organ, signed_on: '2023-12-28', published_on: '2024-01-04' },
        ])
        .execute();
      const query = { year: 2023, organ_id: organ, subtree: false, cell: 'normative.issued' as const, page: 1, page_size: 20 };
      const report = await clocked.services.reports.article20(null, query);
      expect(report.normative.issued).toBe(2);
      const anonymous = await clocked.services.reports.cell(null, query);
      expect(anonymous).toMatchObject({ total: 1, hidden: 1 });
      expect(anonymous.items.map((d) => d.type === 'document' && d.title)).toEqual(['已公布']);
      const { actor } = await clocked.user('compiler');
      expect(await clocked.services.reports.cell(actor, query)).toMatchObject({ total: 2, hidden: 0 });
    } finally {
      await clocked.close();
    }
  });
});
