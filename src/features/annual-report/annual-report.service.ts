/**
 * The whole annual report of an organ (or its subtree) for a year: section 二 from the Article 20
 * service, sections 三 and 四 counted from the registers, 信息处理费, and the compiler's texts of
 * 一, 五 and 六; finalising stores it as published.
 */
import type { Db } from '../../db/database.js';
import type { Clock } from '../../platform/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { translateDbError } from '../../db/db-errors.js';
import { recordAudit } from '../accounts/audit.service.js';
import type { Actor } from '../accounts/actor.js';
import { organSubtreeIds } from '../catalog/organ.service.js';
import { countInterpretationsPublishedIn } from '../catalog/interpretation.service.js';
import type { ReportService } from '../article20/report.service.js';
import { fenToYuan } from '../article20/article20.js';
import { yearEnd, yearStart } from '../../shared/dates.js';
import {
  APPEAL_KINDS,
  appealsInCell,
  countAppeals,
  countRequests,
  requestsInCell,
  type AppealCell,
  type AppealKind,
  type ColumnKey,
  type RequestRow,
} from './annual-report.js';
import * as texts from './annual-report.repository.js';
import { appealsForYear, requestsForYear, type RequestRecord } from './register.repository.js';
import { appealView, requestView } from './register.service.js';
import { draftSections } from './report-draft.js';
import { figureDifferences } from './publication.js';
import { annualReportDocx } from './annual-report-export.js';

export interface AnnualQuery {
  year: number;
  organ_id: number;
  subtree: boolean;
}

interface AnnualDeps {
  db: Db;
  clock: Clock;
  reports: ReportService;
}

/** 信息处理费: requests concluded in the year for which a fee was charged. */
function processingFees(records: RequestRecord[], year: number) {
  const from = yearStart(year);
  const to = yearEnd(year);
  let count = 0;
  let fen = 0n;
  for (const r of records) {
    if (r.fee_fen === null || r.fee_fen === '0' || r.concluded_on === null || r.concluded_on < from || r.concluded_on > to) continue;
    count++;
    fen += BigInt(r.fee_fen);
  }
  return { count, yuan: fenToYuan(fen) };
}

/** The organ, or it and the organs below it. */
const organScope = (db: Db, query: AnnualQuery): Promise<number[]> =>
  query.subtree ? organSubtreeIds(db, query.organ_id) : Promise.resolve([query.organ_id]);

async function registers(db: Db, organIds: number[], year: number) {
  const [requests, appeals] = await Promise.all([requestsForYear(db, organIds, year), appealsForYear(db, organIds, year)]);
  return { requests, appeals };
}

async function annualReport(deps: AnnualDeps, actor: Actor, query: AnnualQuery) {
  // First: it checks the year and the organ.
  const article20 = await deps.reports.article20(actor, query);
  const organIds = await organScope(deps.db, query);
  const { requests, appeals } = await registers(deps.db, organIds, query.year);
  const section3 = countRequests(requests, query.year);
  const section4 = countAppeals(appeals, query.year);
  const fees = processingFees(requests, query.year);
  const saved = await texts.findTexts(deps.db, query.organ_id, query.year);
  const interpretationsPublished =
    saved === undefined ? await countInterpretationsPublishedIn(deps.db, organIds, `${query.year}-01-01`, `${query.year}-12-31`) : 0;
  const sections =
    saved === undefined
      ? draftSections({
          organ: article20.organ.name,
          year: query.year,
          rules_issued: article20.rules.issued,
          normative_issued: article20.normative.issued,
          normative_in_force: article20.normative.in_force,
          interpretations_published: interpretationsPublished,
          requests_received: section3.received.total,
          requests_carried_over: section3.carried_over.total,
          requests_concluded: section3.outcomes.total.total,
          requests_carried_forward: section3.carried_forward.total,
          appeals_total: APPEAL_KINDS.reduce((n, k) => n + section4[k].total, 0),
          fee_count: fees.count,
          fee_yuan: fees.yuan,
          last_year: (await texts.findTexts(deps.db, query.organ_id, query.year - 1)) ?? null,
        })
      : { one: saved.one, five: saved.five, six: saved.six };
  return {
    year: query.year,
    organ_id: query.organ_id,
    article20,
    requests: section3,
    appeals: section4,
    processing_fees: fees,
    sections,
  };
}

export type AnnualReport = Awaited<ReturnType<typeof annualReport>>;

export type AnnualCell = `requests.${RequestRow}.${ColumnKey}` | `appeals.${AppealKind}.${AppealCell}`;

/** The records behind one number of sections 三 or 四, a page at a time. */
async function cellRecords(deps: AnnualDeps, actor: Actor, query: AnnualQuery & { cell: string; page: number; page_size: number }) {
  await deps.reports.article20(actor, query);
  // "requests.withheld.state_secret.natural_person": the row may itself hold a dot.
  const parts = query.cell.split('.');
  const section = parts[0];
  const column = parts[parts.length - 1];
  const row = parts.slice(1, -1).join('.');
  const { requests, appeals } = await registers(deps.db, await organScope(deps.db, query), query.year);
  const today = deps.clock.today();
  const found =
    section === 'requests'
      ? requestsInCell(requests, query.year, row as RequestRow, column as ColumnKey).map((r) => requestView(r, today))
      : appealsInCell(appeals, query.year, row as AppealKind, column as AppealCell).map(appealView);
  const start = (query.page - 1) * query.page_size;
  return { year: query.year, organ_id: query.organ_id, subtree: query.subtree, cell: query.cell, total: found.length, page: query.page, page_size: query.page_size, items: found.slice(start, start + query.page_size) };
}

async function saveSectionTexts(deps: AnnualDeps, actor: Actor, body: { organ_id: number; year: number } & texts.SectionTexts) {
  await deps.reports.article20(actor, { year: body.year, organ_id: body.organ_id, subtree: false });
  try {
    await deps.db.transaction().execute(async (trx) => {
      const before = await texts.findTexts(trx, body.organ_id, body.year);
      await texts.saveTexts(trx, body.organ_id, body.year, body, actor.userId);
      const after = { one: body.one, five: body.five, six: body.six };
      await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action: 'annual_report.texts', entity: 'annual_report_texts', entityId: body.organ_id, before: before ?? null, after: { year: body.year, ...after } });
    });
  } catch (error) {
    throw translateDbError(error);
  }
  return { organ_id: body.organ_id, year: body.year, saved: true, sections: { one: body.one, five: body.five, six: body.six } };
}

async function finalise(deps: AnnualDeps, actor: Actor, query: AnnualQuery) {
  const report = await annualReport(deps, actor, query);
  if (!report.requests.balanced) {
    const columns = report.requests.unbalanced.map((u) => u.column).join('、');
    throw new ValidationError(`第三部分表格勾稽关系不平（${columns}），请先核对登记的申请后再定稿`, { requests: '勾稽关系不平' });
  }
  const docx = await annualReportDocx(report);
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const id = await texts.insertPublication(trx, query, report, docx, actor.userId);
      if (id === undefined) throw new ConflictError(`${query.year} 年度报告已定稿发布，不能再次定稿`);
      await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action: 'annual_report.finalise', entity: 'annual_report_publication', entityId: id, after: query });
      return { id, ...query, finalised: true };
    });
  } catch (error) {
    throw translateDbError(error);
  }
}

/** The published report beside what it would say today, figure by figure. */
async function publication(deps: AnnualDeps, actor: Actor, query: AnnualQuery) {
  const published = await texts.findPublication(deps.db, query);
  if (!published) throw new NotFoundError(`${query.year} 年度报告尚未定稿`);
  const current = await annualReport(deps, actor, query);
  // Both sides through JSON, so that dates and undefined compare as they were stored.
  const differences = figureDifferences(published.report, JSON.parse(JSON.stringify(current)));
  return { id: published.id, ...query, finalised_at: published.finalised_at, report: published.report as AnnualReport, differences };
}

async function publishedDocx(deps: AnnualDeps, actor: Actor, query: AnnualQuery) {
  await deps.reports.article20(actor, query);
  const published = await texts.findPublication(deps.db, query, true);
  if (!published?.docx) throw new NotFoundError(`${query.year} 年度报告尚未定稿`);
  return { bytes: published.docx, report: published.report as AnnualReport };
}

export function createAnnualReportService(deps: AnnualDeps) {
  return {
    report: (actor: Actor, query: AnnualQuery) => annualReport(deps, actor, query),
    cell: (actor: Actor, query: AnnualQuery & { cell: string; page: number; page_size: number }) => cellRecords(deps, actor, query),
    saveTexts: (actor: Actor, body: { organ_id: number; year: number } & texts.SectionTexts) => saveSectionTexts(deps, actor, body),
    /** Whether the compiler has saved texts for the year (else the report carries the draft). */
    textsSaved: async (organId: number, year: number) => (await texts.findTexts(deps.db, organId, year)) !== undefined,
    finalise: (actor: Actor, query: AnnualQuery) => finalise(deps, actor, query),
    publication: (actor: Actor, query: AnnualQuery) => publication(deps, actor, query),
    isPublished: async (query: AnnualQuery) => (await texts.findPublication(deps.db, query)) !== undefined,
    publishedDocx: (actor: Actor, query: AnnualQuery) => publishedDocx(deps, actor, query),
    defaultYear: () => deps.reports.defaultYear(),
  };
}

export type AnnualReportService = ReturnType<typeof createAnnualReportService>;
