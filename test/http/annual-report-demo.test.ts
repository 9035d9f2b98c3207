import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../scripts/seed-demo.js';
import { fixedClock } from '../../src/platform/clock.js';
import { createTestContext, type TestContext } from '../support/context.js';
import { bearer } from '../support/factories.js';

/** The demo county's registers make a balanced 2025 report, and its open requests show their deadlines. */
let ctx: TestContext;
let token: string;
let gov: number;

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2026-11-29') });
  const { actor, token: t } = await ctx.user('admin');
  token = t;
  gov = (await seedDemo(ctx.services, actor)).organIds.get('gov')!;
}, 120_000);
afterAll(() => ctx?.close());

describe('the demo county’s annual report for 2025', () => {
  it('counts the registers of the county and its departments, and balances', async () => {
    const res = await ctx.request().get(`/api/v1/reports/annual?year=2025&organ_id=${gov}&subtree=true`).set(bearer(token)).expect(200);
    const { requests, appeals, processing_fees } = res.body;
    expect(requests.received.total).toBe(13);
    expect(requests.carried_over.total).toBe(2);
    expect(requests.outcomes.total.total).toBe(13);
    expect(requests.carried_forward.total).toBe(2);
    expect(requests.outcomes.partially_disclosed.total).toBe(2);
    expect(requests.balanced).toBe(true);
    expect(appeals.review).toEqual({ upheld: 1, corrected: 1, other: 0, pending: 0, total: 2 });
    expect(appeals.litigation_direct).toMatchObject({ pending: 1, total: 1 });
    expect(processing_fees).toEqual({ count: 1, yuan: '100.00' });
    expect(res.body.sections.one).toContain('2025年共收到政府信息公开申请13件');
  });

  it('lists the open requests of 2026 by deadline: one overdue, one waiting for a correction', async () => {
    const open = await ctx.services.registers.openRequests(gov);
    expect(open.map((r) => [r.number, r.deadline?.state])).toEqual([
      ['示政依申〔2026〕12号', 'overdue'],
      ['示政依申〔2026〕13号', 'open'],
      ['示财依申〔2026〕4号', 'awaiting_correction'],
    ]);
  });
});
