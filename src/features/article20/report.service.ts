import type { Db } from '../../db/database.js';
import {
  DECISION_KIND_LABELS,
  fenToWanYuan,
  fenToYuan,
  reconciliationResidual,
  type Article20Kind,
  type Article20KindCounts,
  type Article20Reconciliation,
  type DecisionKind,
} from './article20.js';
import { article20CellLabel, type Article20Cell, type Article20DocumentCell, type Article20Figures } from './article20-form.js';
import { yearEnd, yearOf, yearStart } from '../../shared/dates.js';
import { KIND_LABELS, STATUS_LABELS, documentStatusAsOf, type DocumentKind } from '../../shared/document-status.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import { countDecisionsByKind, listDecisions } from './decision.repository.js';
import { listFees, sumFees } from './fee.repository.js';
import { findOrganById, organSubtreeIds } from '../catalog/organ.service.js';
import { countArticle20Documents, listArticle20Documents, type Article20DocumentCounts } from './report.repository.js';
import { can, type Actor } from '../accounts/actor.js';
import type { Clock } from '../../platform/clock.js';

export interface Article20Query {
  year: number;
  organ_id: number;
  subtree: boolean;
}

export const RECONCILIATION_FORMULA =
  '现行有效(本年) = 现行有效(上年) + 上年末尚未施行 + 本年制发 − 本年废止 − 年末尚未施行';

/** How many differing documents the report itself lists; the cell list pages through all of them. */
const LISTED_DIFFERENCES = 100;
/** Year-over-year views compare at most this many years. */
export const MAX_YEARS = 10;

const GROUPS = { rules: 'rule', normative: 'normative' } as const satisfies Record<string, Article20Kind>;
type Group = keyof typeof GROUPS;

function kindCounts(c: Article20DocumentCounts): Article20KindCounts {
  return { issued: c.issued, ended: c.ended, ended_repealed: c.ended_repealed, ended_expired: c.ended_expired, in_force: c.in_force };
}

function reconciliation(c: Article20DocumentCounts): Article20Reconciliation & { differing_documents: number } {
  const expected = c.in_force_previous + c.pending_previous + c.issued - c.ended - c.pending;
  return {
    in_force_previous: c.in_force_previous,
    pending_previous: c.pending_previous,
    issued: c.issued,
    ended: c.ended,
    pending: c.pending,
    expected_in_force: expected,
    in_force: c.in_force,
    difference: c.in_force - expected,
    differing_documents: c.differences,
  };
}

interface ReportDeps {
  db: Db;
  clock: Clock;
}

type CellQuery = Article20Query & { cell: Article20Cell; page: number; page_size: number };

export function createReportService(deps: ReportDeps) {
  return {
    article20: (actor: Actor | null, query: Article20Query) => article20Report(deps, actor, query),

    /** Annual reports are compiled early in the next year: last year is the one usually asked for. */
    defaultYear: () => yearOf(deps.clock.today()) - 1,

    years: (actor: Actor | null, query: { organ_id: number; subtree: boolean; from: number; to: number }) => yearReports(deps, actor, query),

    cell: (actor: Actor | null, query: CellQuery) => cellRecords(deps, actor, query),
  };
}

type Scoped = Awaited<ReturnType<typeof scope>>;

async function scope({ db, clock }: ReportDeps, query: Article20Query) {
  if (query.year > yearOf(clock.today())) throw new ValidationError('年份不能晚于今年', { year: '年份不能晚于今年' });
  const organ = await findOrganById(db, query.organ_id);
  if (!organ) throw new NotFoundError('机关不存在');
  const organIds = query.subtree ? await organSubtreeIds(db, organ.id) : [organ.id];
  return { organ, organIds };
}

/** Staff see every document behind a number; the public only those published by today. */
const visibleBy = (clock: Clock, actor: Actor | null) => (can(actor, 'report:read') ? null : clock.today());

type DocumentRows = Awaited<ReturnType<typeof listArticle20Documents>>['rows'];

function documentItems(rows: DocumentRows, year: number) {
  const asOf = yearEnd(year);
  return rows.map((row) => {
    const status = documentStatusAsOf(row, asOf);
    return {
      type: 'document' as const,
      id: row.id,
      kind: row.kind as DocumentKind,
      kind_label: KIND_LABELS[row.kind as DocumentKind],
      title: row.title,
      doc_number: row.doc_number,
      organ: { id: row.organ_id, name: row.organ_name },
      signed_on: row.signed_on,
      published_on: row.published_on,
      effective_on: row.effective_on ?? row.published_on,
      expires_on: row.expires_on,
      repealed_on: row.repealed_on,
      /** The first day the document was no longer valid, and why. */
      ended_on: row.ended_on,
      ended_by: row.ended_on === null ? null : row.ended_by_repeal ? ('repealed' as const) : ('expired' as const),
      status_at_year_end: status,
      status_at_year_end_label: STATUS_LABELS[status],
      reconciliation_residual: reconciliationResidual({ ...row, kind: row.kind as DocumentKind }, year),
    };
  });
}

/** One year's report; `scoped` spares a comparison of several years resolving the organs each time. */
async function article20Report(deps: ReportDeps, actor: Actor | null, query: Article20Query, scoped?: Scoped) {
  const { db } = deps;
  const { organ, organIds } = scoped ?? (await scope(deps, query));
  const from = yearStart(query.year);
  const to = yearEnd(query.year);
  const [documents, decisions, fen] = await Promise.all([
    countArticle20Documents(db, organIds, query.year),
    countDecisionsByKind(db, organIds, from, to),
    sumFees(db, organIds, from, to),
  ]);
  const differences = async (group: Group) => {
    if (documents[GROUPS[group]].differences === 0) return [];
    const listed = await listArticle20Documents(db, {
      organIds,
      year: query.year,
      kind: GROUPS[group],
      cell: 'differences',
      visibleBy: visibleBy(deps.clock, actor),
      offset: 0,
      limit: LISTED_DIFFERENCES,
    });
    return documentItems(listed.rows, query.year);
  };
  const [ruleDifferences, normativeDifferences] = await Promise.all([differences('rules'), differences('normative')]);
  const rules = reconciliation(documents.rule);
  const normative = reconciliation(documents.normative);
  return {
    year: query.year,
    organ_id: organ.id,
    subtree: query.subtree,
    organ: { id: organ.id, name: organ.name },
    organ_count: organIds.length,
    period: { from, to },
    rules: kindCounts(documents.rule),
    normative: kindCounts(documents.normative),
    licensing: decisions.licensing,
    penalty: decisions.penalty,
    enforcement: decisions.enforcement,
    // JSON numbers are exact up to 2^53 fen, some 90 万亿元: beyond any organ's fees.
    fees: { fen: Number(fen), wan_yuan: fenToWanYuan(fen) },
    reconciliation: {
      formula: RECONCILIATION_FORMULA,
      balanced: rules.difference === 0 && normative.difference === 0 && rules.differing_documents === 0 && normative.differing_documents === 0,
      rules: { ...rules, documents: ruleDifferences },
      normative: { ...normative, documents: normativeDifferences },
    },
  };
}

/** The same report for several years, oldest first, for the year-over-year view. */
async function yearReports(deps: ReportDeps, actor: Actor | null, query: { organ_id: number; subtree: boolean; from: number; to: number }) {
  if (query.from > query.to) throw new ValidationError('起始年份不能晚于结束年份', { from: '起始年份不能晚于结束年份' });
  if (query.to - query.from + 1 > MAX_YEARS) throw new ValidationError(`最多比较 ${MAX_YEARS} 个年度`, { from: `最多比较 ${MAX_YEARS} 个年度` });
  const years = Array.from({ length: query.to - query.from + 1 }, (_, i) => query.from + i);
  const scoped = await scope(deps, { year: query.to, organ_id: query.organ_id, subtree: query.subtree });
  const reports: Article20Report[] = [];
  // One year after another: each report already runs its queries side by side.
  for (const year of years) reports.push(await article20Report(deps, actor, { year, organ_id: query.organ_id, subtree: query.subtree }, scoped));
  return { organ_id: query.organ_id, subtree: query.subtree, from: query.from, to: query.to, reports };
}

/** The records behind one number of the report, a page at a time. */
async function cellRecords(deps: ReportDeps, actor: Actor | null, query: CellQuery) {
  const scoped = await scope(deps, query);
  const { organ } = scoped;
  const head = {
    year: query.year,
    organ_id: organ.id,
    subtree: query.subtree,
    organ: { id: organ.id, name: organ.name },
    cell: query.cell,
    label: article20CellLabel(query.cell),
    page: query.page,
    page_size: query.page_size,
  };
  if (query.cell === 'fees') return { ...head, ...(await feeCell(deps.db, query, scoped)) };
  if (query.cell === 'licensing' || query.cell === 'penalty' || query.cell === 'enforcement') {
    return { ...head, ...(await decisionCell(deps.db, query.cell, query, scoped)) };
  }
  return { ...head, ...(await documentCell(deps, actor, query, scoped)) };
}

/** A cell query's days and rows, as the list functions take them. */
function pageOf(query: CellQuery, { organIds }: Scoped) {
  return { organIds, from: yearStart(query.year), to: yearEnd(query.year), offset: (query.page - 1) * query.page_size, limit: query.page_size };
}

async function feeCell(db: Db, query: CellQuery, scoped: Scoped) {
  const page = pageOf(query, scoped);
  const [listed, fen] = await Promise.all([listFees(db, page), sumFees(db, page.organIds, page.from, page.to)]);
  return {
    total: listed.total,
    hidden: 0,
    sum: { fen: Number(fen), yuan: fenToYuan(fen), wan_yuan: fenToWanYuan(fen) },
    items: listed.rows.map((row) => ({
      type: 'fee' as const,
      id: row.id,
      item: row.item,
      amount_fen: Number(row.amount_fen),
      amount_yuan: fenToYuan(BigInt(row.amount_fen)),
      collected_on: row.collected_on,
      receipt_number: row.receipt_number,
      organ: { id: row.organ_id, name: row.organ_name },
    })),
  };
}

async function decisionCell(db: Db, kind: DecisionKind, query: CellQuery, scoped: Scoped) {
  const listed = await listDecisions(db, { ...pageOf(query, scoped), kind });
  return {
    total: listed.total,
    hidden: 0,
    items: listed.rows.map((row) => ({
      type: 'decision' as const,
      id: row.id,
      kind: row.kind,
      kind_label: DECISION_KIND_LABELS[row.kind as DecisionKind],
      decision_number: row.decision_number,
      decided_on: row.decided_on,
      organ: { id: row.organ_id, name: row.organ_name },
    })),
  };
}

async function documentCell(deps: ReportDeps, actor: Actor | null, query: CellQuery, scoped: Scoped) {
  const [group, part] = query.cell.split('.') as [Group, Article20DocumentCell];
  const kind = GROUPS[group];
  const { organIds, offset, limit } = pageOf(query, scoped);
  const [listed, counts] = await Promise.all([
    listArticle20Documents(deps.db, { organIds, year: query.year, kind, cell: part, visibleBy: visibleBy(deps.clock, actor), offset, limit }),
    part === 'ended' ? countArticle20Documents(deps.db, organIds, query.year) : Promise.resolve(null),
  ]);
  return {
    total: listed.total,
    /** Counted (the report is as of 31 December) but not published by today, so not listed. */
    hidden: listed.hidden,
    ...(counts ? { breakdown: { repealed: counts[kind].ended_repealed, expired: counts[kind].ended_expired } } : {}),
    items: documentItems(listed.rows, query.year),
  };
}

export type ReportService = ReturnType<typeof createReportService>;
export type Article20Report = Awaited<ReturnType<typeof article20Report>>;

/** The figures of section 二 out of a report, for the form renderings. */
export function figuresOf(report: Article20Report): Article20Figures {
  return {
    rules: report.rules,
    normative: report.normative,
    licensing: report.licensing,
    penalty: report.penalty,
    enforcement: report.enforcement,
    fees_fen: BigInt(report.fees.fen),
  };
}
