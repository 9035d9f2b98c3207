import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, type IsoDate } from '../../src/shared/dates.js';
import { DOCUMENT_STATUSES, documentStatusAsOf, type DocumentStatus, type StatusDates } from '../../src/shared/document-status.js';
import type { Actor } from '../../src/features/accounts/actor.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { buildOrgan } from '../support/factories.js';

/**
 * The SQL status predicates (status.sql.ts) and the pure documentStatusAsOf must agree on every
 * document and every day, most of all on the days where a status changes.
 */

interface Case extends StatusDates {
  label: string;
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  const P = '2023-03-01';
  for (const effective of [null, P, addDays(P, 10)]) {
    const validFrom = effective ?? P;
    for (const expires of [null, validFrom, addDays(validFrom, 20)]) {
      const repeals = new Set<IsoDate | null>([null, P, addDays(validFrom, 5)]);
      if (expires !== null) {
        repeals.add(expires);
        repeals.add(addDays(expires, 1));
      }
      for (const repealed of repeals) {
        cases.push({
          label: `P=${P} E=${effective} X=${expires} R=${repealed}`,
          published_on: P,
          effective_on: effective,
          expires_on: expires,
          repealed_on: repealed,
        });
      }
    }
  }
  // Year ends, where Article 20 counts "in force as of 31 December".
  cases.push(
    { label: 'expires on 31 Dec', published_on: '2023-12-20', effective_on: null, expires_on: '2023-12-31', repealed_on: null },
    { label: 'repealed on 31 Dec', published_on: '2023-06-01', effective_on: null, expires_on: null, repealed_on: '2023-12-31' },
    { label: 'published and repealed on 31 Dec', published_on: '2023-12-31', effective_on: null, expires_on: null, repealed_on: '2023-12-31' },
    { label: 'effective on 1 Jan', published_on: '2023-12-31', effective_on: '2024-01-01', expires_on: null, repealed_on: null },
    { label: 'effective on 1 Jan, repealed before', published_on: '2023-12-15', effective_on: '2024-01-01', expires_on: null, repealed_on: '2023-12-31' },
    { label: 'leap day expiry', published_on: '2024-01-01', effective_on: null, expires_on: '2024-02-29', repealed_on: null },
    // Drafts: never published, whatever else they carry.
    { label: 'draft', published_on: null, effective_on: null, expires_on: null, repealed_on: null },
    { label: 'draft with dates', published_on: null, effective_on: '2023-03-05', expires_on: '2023-12-31', repealed_on: null },
  );
  return cases;
}

const CASES = buildCases();

/** Every day on which some case changes status, with its neighbours. */
function boundaryDays(cases: Case[]): IsoDate[] {
  const days = new Set<IsoDate>();
  for (const c of cases) {
    for (const d of [c.published_on, c.effective_on, c.expires_on, c.repealed_on]) {
      if (d === null) continue;
      for (const offset of [-1, 0, 1]) days.add(addDays(d, offset));
    }
  }
  days.add('2000-01-01');
  days.add('2099-12-31');
  return [...days].sort();
}

const DAYS = boundaryDays(CASES);

let ctx: TestContext;
let admin: Actor;
let organId: number;
const idOf = new Map<number, Case>();

beforeAll(async () => {
  ctx = await createTestContext();
  ({ actor: admin } = await ctx.user('admin'));
  organId = (await buildOrgan(ctx.services, admin)).id;
  for (const c of CASES) {
    const doc = await ctx.services.documents.create(admin, {
      kind: 'normative',
      title: c.label,
      organ_id: organId,
      published_on: c.published_on,
      effective_on: c.effective_on,
      expires_on: c.expires_on,
    });
    if (c.repealed_on !== null) await ctx.services.documents.repeal(admin, doc.id, { repealed_on: c.repealed_on });
    idOf.set(doc.id, c);
  }
}, 120_000);
afterAll(() => ctx?.close());

async function idsWithStatus(statuses: DocumentStatus[], asOf: IsoDate): Promise<number[]> {
  const res = await ctx.services.documents.list(admin, { status: statuses, organ_id: [organId], as_of: asOf, page: 1, page_size: 100 });
  expect(res.total).toBe(res.items.length);
  return res.items.map((d) => d.id).sort((a, b) => a - b);
}

function expectedIds(statuses: DocumentStatus[], asOf: IsoDate): number[] {
  return [...idOf.entries()]
    .filter(([, c]) => statuses.includes(documentStatusAsOf(c, asOf)))
    .map(([id]) => id)
    .sort((a, b) => a - b);
}

describe('status.sql.ts agrees with documentStatusAsOf', () => {
  it('has a table big enough to mean something', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
    expect(DAYS.length).toBeGreaterThanOrEqual(12);
    expect(idOf.size).toBe(CASES.length);
    // Every status occurs on some day, so no predicate goes untested.
    const seen = new Set(DAYS.flatMap((day) => CASES.map((c) => documentStatusAsOf(c, day))));
    expect([...seen].sort()).toEqual([...DOCUMENT_STATUSES].sort());
  });

  it('the stored dates are the ones of the table (effective_on is not filled in)', async () => {
    const rows = await ctx.db
      .selectFrom('documents as d')
      .leftJoin('document_repeals as r', 'r.document_id', 'd.id')
      .select(['d.id', 'd.published_on', 'd.effective_on', 'd.expires_on', 'r.repealed_on'])
      .where('d.organ_id', '=', organId)
      .execute();
    for (const row of rows) {
      const c = idOf.get(row.id)!;
      const { id: _id, ...dates } = row;
      expect(dates, c.label).toEqual({
        published_on: c.published_on,
        effective_on: c.effective_on,
        expires_on: c.expires_on,
        repealed_on: c.repealed_on,
      });
    }
  });

  it.each(DAYS)('as of %s every status filter returns exactly the documents the pure rule gives', async (day) => {
    const covered: number[] = [];
    for (const status of DOCUMENT_STATUSES) {
      const actual = await idsWithStatus([status], day);
      const expected = expectedIds([status], day);
      const labels = (ids: number[]) => ids.map((id) => idOf.get(id)!.label);
      expect(labels(actual), `${status} as of ${day}`).toEqual(labels(expected));
      covered.push(...actual);
    }
    // The statuses partition the catalog: each document is in exactly one.
    expect(covered.sort((a, b) => a - b)).toEqual([...idOf.keys()].sort((a, b) => a - b));
  });

  it.each(DAYS.filter((_, i) => i % 4 === 0))('as of %s several statuses at once are their union', async (day) => {
    const statuses: DocumentStatus[] = ['expired', 'repealed', 'not_yet_effective'];
    expect(await idsWithStatus(statuses, day)).toEqual(expectedIds(statuses, day));
  });

  it.each(DAYS.filter((_, i) => i % 3 === 0))('as of %s each listed item carries the status of the filter it matched', async (day) => {
    for (const status of DOCUMENT_STATUSES) {
      const res = await ctx.services.documents.list(admin, { status: [status], organ_id: [organId], as_of: day, page: 1, page_size: 100 });
      for (const item of res.items) expect(item.status, `${item.title} as of ${day}`).toBe(status);
    }
  });
});
