import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../scripts/seed-demo.js';
import type { Actor } from '../../src/features/accounts/actor.js';
import { interpretationLinksOfDocuments } from '../../src/features/compliance/compliance.repository.js';
import { fixedClock } from '../../src/platform/clock.js';
import { expectNothingStored } from '../support/assertions.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { buildDocument, buildInterpretation, buildOrgan } from '../support/factories.js';

const TODAY = '2026-11-29';

let ctx: TestContext;
let admin: Actor;
let compiler: Actor;
let demo: Awaited<ReturnType<typeof seedDemo>>;

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock(TODAY) });
  admin = (await ctx.user('admin')).actor;
  compiler = (await ctx.user('compiler')).actor;
  demo = await seedDemo(ctx.services, admin);
});
afterAll(() => ctx?.close());

const organId = (key: string) => demo.organIds.get(key)!;
const documentId = (key: string) => demo.documentIds.get(key)!;

describe('the demo county as of 2026-11-29', () => {
  it('has every rule and normative document of 2019–2026 published on time', async () => {
    const report = await ctx.services.compliance.timeliness(compiler, {});
    expect(report.years).toEqual({ from: 2019, to: 2026 });
    expect(report.total).toMatchObject({ assessed: 38, on_time: 38, late: 0, overdue: 0, on_time_share: 1 });
    expect(report.by_year.map((y) => [y.year, y.assessed])).toEqual([
      [2019, 5],
      [2020, 5],
      [2021, 4],
      [2022, 4],
      [2023, 5],
      [2024, 5],
      [2025, 7],
      [2026, 3],
    ]);
    expect(report.late).toEqual([]);
    // Signed 2025-12-26, published 2026-01-06: across 元旦 and its make-up Sunday, the 6th working day, counted in 2025.
    const december = report.groups.find((g) => g.organ_id === organId('gov') && g.year === 2025)!;
    expect(december).toMatchObject({ assessed: 2, on_time: 2 });
  });

  it('reports interpretation coverage per organ and year, and the two interpretations long after their document', async () => {
    const report = await ctx.services.compliance.interpretations(compiler, {});
    expect(report.total).toEqual({ documents: 34, covered: 12, uncovered: 22, coverage_share: 12 / 34 });
    expect(report.by_year.map((y) => [y.year, y.covered, y.documents])).toEqual([
      [2019, 1, 4],
      [2020, 1, 4],
      [2021, 1, 4],
      [2022, 1, 4],
      [2023, 2, 5],
      [2024, 1, 4],
      [2025, 4, 6],
      [2026, 1, 3],
    ]);
    expect(report.groups.find((g) => g.organ_id === organId('gov') && g.year === 2025)).toMatchObject({ documents: 2, covered: 2 });
    expect(report.uncovered.map((d) => d.id)).toContain(documentId('doc-gov-2026-1'));
    expect(report.uncovered.map((d) => d.id)).not.toContain(documentId('doc-fin-2026-1'));
    expect(report.flagged.map((f) => [f.document.id, f.flag, f.days_after])).toEqual([
      [documentId('doc-ema-2020-1'), 'late', 1407],
      [documentId('doc-gov-2023-1'), 'late', 798],
    ]);
  });

  it('lists the four documents whose term ends within six months', async () => {
    const list = await ctx.services.expiryReviews.listExpiring(compiler, {});
    expect(list.window).toEqual({ months: 6, from: '2026-11-29', to: '2027-05-29' });
    expect(list.items.map((i) => [i.id, i.expires_on, i.days_left])).toEqual([
      [documentId('doc-amr-2021-1'), '2026-12-31', 32],
      [documentId('doc-office-2022-1'), '2027-02-28', 91],
      [documentId('doc-gov-2024-1'), '2027-03-31', 122],
      [documentId('doc-gov-2022-1'), '2027-04-30', 152],
    ]);
    // doc-gov-2021-1 (term to 2026-03-31) was repealed in 2023 and is not listed.
    expect(list.undecided).toBe(4);
  });
});

describe('timeliness of documents of our own', () => {
  let organ: number;
  beforeAll(async () => {
    organ = (await buildOrgan(ctx.services, admin)).id;
    const doc = (signed_on: string, published_on: string | null, title: string) =>
      buildDocument(ctx.services, admin, { organ_id: organ, signed_on, published_on, title });
    await doc('2024-09-27', '2024-10-30', '国庆后最后一天公开');
    await doc('2024-09-27', '2024-10-31', '国庆后晚一天公开');
    await doc('2026-10-09', null, '逾期未公开');
    await doc('2026-11-20', null, '尚在期限内');
    // Its deadline falls in 2027, whose holidays are not announced; published the day it was signed, it is on time anyway.
    await doc('2026-11-27', '2026-11-27', '成文当天公开');
    await doc('2003-12-30', '2004-01-05', '节假日安排未知');
  });

  it('judges each one and lists the late ones first', async () => {
    const report = await ctx.services.compliance.timeliness(compiler, { organ_id: organ, from: 2003, to: 2026 });
    expect(report.total).toMatchObject({ assessed: 4, on_time: 2, late: 1, overdue: 1, pending: 1, unknown_calendar: 1, on_time_share: 0.5 });
    expect(report.late.map((d) => [d.title, d.timeliness.status, d.timeliness.deadline])).toEqual([
      ['逾期未公开', 'overdue', '2026-11-05'],
      ['国庆后晚一天公开', 'late', '2024-10-30'],
    ]);
    expect(report.unknown_calendar.map((d) => [d.title, d.timeliness.missing_years])).toEqual([['节假日安排未知', [2003]]]);
    expect(report.groups.map((g) => [g.year, g.on_time_share])).toEqual([
      [2003, null],
      [2024, 0.5],
      [2026, 0.5],
    ]);
    expect(report.by_year).toHaveLength(24);
  });

  it('refuses a range the wrong way round or too long, and a reader without the permission', async () => {
    await expect(ctx.services.compliance.timeliness(compiler, { from: 2026, to: 2020 })).rejects.toMatchObject({
      status: 400,
      fields: { from: '起始年度不能晚于截止年度' },
    });
    await expect(ctx.services.compliance.timeliness(compiler, { from: 1960, to: 2026 })).rejects.toMatchObject({ status: 400 });
    await expect(ctx.services.compliance.timeliness(null, {})).rejects.toMatchObject({ status: 403 });
  });
});

describe('coverage edges', () => {
  let organ: number;
  beforeAll(async () => {
    organ = (await buildOrgan(ctx.services, admin)).id;
  });

  it('counts only interpretations public today, flags one before its document, and honours the lag threshold', async () => {
    const build = (title: string, published_on: string | null, kind: 'normative' | 'rule' = 'normative') =>
      buildDocument(ctx.services, admin, { organ_id: organ, signed_on: '2025-03-03', published_on, title, kind });
    const scheduled = await build('解读尚未发布', '2025-03-05');
    const early = await build('解读早于文件', '2025-03-05');
    const lagged = await build('解读晚 45 天', '2025-03-05');
    const rule = await build('规章不计覆盖率', '2025-03-05', 'rule');
    await build('草稿不计覆盖率', null);
    await buildInterpretation(ctx.services, admin, [scheduled.id], { published_on: '2026-12-01' });
    await buildInterpretation(ctx.services, admin, [early.id], { published_on: '2025-03-04' });
    await buildInterpretation(ctx.services, admin, [lagged.id], { published_on: '2025-04-19' });
    await buildInterpretation(ctx.services, admin, [rule.id], { published_on: '2025-03-05' });

    const report = await ctx.services.compliance.interpretations(compiler, { organ_id: organ, from: 2025, to: 2025 });
    expect(report.total).toEqual({ documents: 3, covered: 2, uncovered: 1, coverage_share: 2 / 3 });
    expect(report.uncovered.map((d) => d.title)).toEqual(['解读尚未发布']);
    expect(report.flagged.map((f) => [f.document.title, f.flag, f.days_after])).toEqual([
      ['解读早于文件', 'before_document', -1],
      ['解读晚 45 天', 'late', 45],
    ]);
    const lenient = await ctx.services.compliance.interpretations(compiler, { organ_id: organ, from: 2025, to: 2025, lag_days: 45 });
    expect(lenient.flagged.map((f) => f.flag)).toEqual(['before_document']);
  });
});

describe('the expiry review', () => {
  let organ: number;
  const ids: Record<string, number> = {};
  beforeAll(async () => {
    organ = (await buildOrgan(ctx.services, admin)).id;
    for (const [key, expires_on] of [
      ['lapsed', '2026-11-28'],
      ['today', '2026-11-29'],
      ['edge', '2027-05-29'],
      ['after', '2027-05-30'],
      ['extend', '2027-01-31'],
      ['repeal', '2027-02-15'],
      ['keep', '2027-03-15'],
      ['atomic', '2027-04-15'],
    ] as const) {
      ids[key] = (
        await buildDocument(ctx.services, admin, { organ_id: organ, title: `清理-${key}`, signed_on: '2022-01-04', published_on: '2022-01-06', expires_on })
      ).id;
    }
  });

  const listed = async (window_months?: number) =>
    (await ctx.services.expiryReviews.listExpiring(compiler, { organ_id: organ, window_months })).items.map((i) => i.title);

  it('lists terms ending from today through exactly six months later, not the day after', async () => {
    expect(await listed()).toEqual(['清理-today', '清理-extend', '清理-repeal', '清理-keep', '清理-atomic', '清理-edge']);
    // Three months reach 2027-02-28.
    expect(await listed(3)).toEqual(['清理-today', '清理-extend', '清理-repeal']);
  });

  it('extends through the document service: new term, review row and audit rows in one go', async () => {
    const editor = (await ctx.user('editor')).actor;
    const review = await ctx.services.expiryReviews.record(editor, ids['extend']!, {
      decision: 'extend',
      new_expires_on: '2031-12-31',
      note: '经评估继续施行',
    });
    expect(review).toMatchObject({ decision: 'extend', decision_label: '延长有效期', decided_on: TODAY, previous_expires_on: '2027-01-31', new_expires_on: '2031-12-31', by: { username: editor.username } });
    const doc = await ctx.services.documents.get(editor, ids['extend']!);
    expect(doc.expires_on).toBe('2031-12-31');
    const audit = await ctx.db
      .selectFrom('audit_log')
      .select(['action', 'user_id'])
      .where('entity', '=', 'document')
      .where('entity_id', '=', String(ids['extend']))
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['document.create', 'document.update', 'document.expiry_review']);
    expect(audit.slice(1).every((a) => a.user_id === editor.userId)).toBe(true);
    const jobs = await ctx.db.selectFrom('index_jobs').select('entity_id').where('entity', '=', 'document').where('entity_id', '=', ids['extend']!).execute();
    expect(jobs.length).toBeGreaterThan(0);
    expect(await listed()).not.toContain('清理-extend');
  });

  it('repeals through the document service on the day of the decision', async () => {
    await ctx.services.expiryReviews.record(admin, ids['repeal']!, { decision: 'repeal', decided_on: '2026-11-20' });
    const doc = await ctx.services.documents.get(admin, ids['repeal']!);
    expect(doc.repeal).toMatchObject({ repealed_on: '2026-11-20', reason: '清理评估决定废止' });
    expect(doc.status).toBe('repealed');
    expect(await listed()).not.toContain('清理-repeal');
  });

  it('keeps a document that is to be revised or to lapse in the list, with its decision', async () => {
    await ctx.services.expiryReviews.record(admin, ids['keep']!, { decision: 'let_expire' });
    await ctx.services.expiryReviews.record(admin, ids['keep']!, { decision: 'revise', note: '列入明年修订计划' });
    const item = (await ctx.services.expiryReviews.listExpiring(compiler, { organ_id: organ })).items.find((i) => i.id === ids['keep']);
    expect(item?.latest_review).toMatchObject({ decision: 'revise', note: '列入明年修订计划' });
    const history = await ctx.services.expiryReviews.history(compiler, ids['keep']!);
    expect(history.items.map((h) => h.decision)).toEqual(['revise', 'let_expire']);
    expect((await ctx.services.documents.get(admin, ids['keep']!)).expires_on).toBe('2027-03-15');
  });

  it('stores nothing for a decision it refuses', async () => {
    const reviewsBefore = await ctx.db.selectFrom('expiry_reviews').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    await expectNothingStored(ctx.db, async () => {
      await expect(
        ctx.services.expiryReviews.record(admin, ids['atomic']!, { decision: 'extend', new_expires_on: '2027-01-01' }),
      ).rejects.toMatchObject({ status: 400, fields: { new_expires_on: '新的有效期至应晚于原有效期至（2027-04-15）' } });
      await expect(ctx.services.expiryReviews.record(admin, ids['lapsed']!, { decision: 'let_expire' })).rejects.toMatchObject({
        status: 400,
        fields: { document: '文件已于 2026-11-29 失效，不能再作评估决定' },
      });
      await expect(ctx.services.expiryReviews.record(admin, 999_999, { decision: 'revise' })).rejects.toMatchObject({ status: 404 });
      await expect(ctx.services.expiryReviews.record(compiler, ids['atomic']!, { decision: 'revise' })).rejects.toMatchObject({ status: 403 });
    });
    const reviewsAfter = await ctx.db.selectFrom('expiry_reviews').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(reviewsAfter.n).toBe(reviewsBefore.n);
  });

  it('rolls the new term back when storing the review fails (one transaction)', async () => {
    // Make the review insert fail after the document service has already changed the document.
    await sql`create function fail_review() returns trigger language plpgsql as $$ begin raise exception 'review refused'; end $$`.execute(ctx.db);
    await sql`create trigger fail_review before insert on expiry_reviews for each row execute function fail_review()`.execute(ctx.db);
    try {
      await expectNothingStored(ctx.db, () =>
        expect(ctx.services.expiryReviews.record(admin, ids['atomic']!, { decision: 'extend', new_expires_on: '2030-12-31' })).rejects.toThrow(),
      );
      expect((await ctx.services.documents.get(admin, ids['atomic']!)).expires_on).toBe('2027-04-15');
    } finally {
      await sql`drop trigger fail_review on expiry_reviews`.execute(ctx.db);
      await sql`drop function fail_review()`.execute(ctx.db);
    }
  });
});

describe('interpretation links of many documents', () => {
  it('reads the links of more documents than PostgreSQL takes parameters in one statement', async () => {
    const withLinks = [documentId('doc-gov-2019-1'), ...Array.from({ length: 70_000 }, (_, i) => 10_000_000 + i)];
    const links = await interpretationLinksOfDocuments(ctx.db, withLinks);
    expect(links.length).toBeGreaterThan(0);
    expect(new Set(links.map((l) => l.document_id))).toEqual(new Set([documentId('doc-gov-2019-1')]));
  });
});
