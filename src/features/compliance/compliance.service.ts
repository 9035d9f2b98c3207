import type { Db } from '../../db/database.js';
import {
  COMPLIANCE_KINDS,
  COVERAGE_KINDS,
  DEFAULT_INTERPRETATION_LAG_DAYS,
  DISCLOSURE_WORKING_DAYS,
  INTERPRETATION_FLAG_LABELS,
  TIMELINESS_LABELS,
  assessTimeliness,
  documentYear,
  interpretationFlag,
  tallyByOrganAndYear,
  tallyCoverage,
  tallyTimeliness,
  type InterpretationFlag,
  type TimelinessStatus,
} from './compliance.js';
import { daysBetween, yearEnd, yearOf, yearStart, type IsoDate } from '../../shared/dates.js';
import { CALENDAR_YEARS } from '../../shared/working-days.js';
import { ForbiddenError, ValidationError } from '../../errors.js';
import {
  countingYearSpan,
  interpretationLinksOfDocuments,
  listComplianceDocuments,
  type ComplianceDocumentRecord,
} from './compliance.repository.js';
import { can, type Actor } from '../accounts/actor.js';
import type { Clock } from '../../platform/clock.js';
import { documentHeading } from '../catalog/document-view.js';

export interface ComplianceQuery {
  from?: number | undefined;
  to?: number | undefined;
  organ_id?: number | undefined;
  lag_days?: number | undefined;
}

/** Without a range, the last ten years up to this one (or fewer, from the first year with documents). */
const DEFAULT_YEARS = 10;
const MAX_YEARS = 30;

/** The order of the lists: what needs action first. */
const TIMELINESS_ORDER: Record<TimelinessStatus, number> = {
  overdue: 0,
  late: 1,
  unknown_calendar: 2,
  no_signed_on: 3,
  pending: 4,
  on_time: 5,
};

interface ComplianceDeps {
  db: Db;
  clock: Clock;
}

function assertCanRead(actor: Actor | null) {
  if (!can(actor, 'report:read')) throw new ForbiddenError();
}

async function resolveYears(db: Db, query: ComplianceQuery, today: IsoDate) {
  const to = query.to ?? Math.max(yearOf(today), query.from ?? 0);
  const span = query.from === undefined ? await countingYearSpan(db, COMPLIANCE_KINDS) : null;
  const from = query.from ?? Math.min(to, Math.max(span?.first ?? to, to - DEFAULT_YEARS + 1));
  if (from > to) throw new ValidationError('年度范围有误', { from: '起始年度不能晚于截止年度' });
  if (to - from + 1 > MAX_YEARS) throw new ValidationError('年度范围有误', { from: `年度范围最多 ${MAX_YEARS} 年` });
  return { from, to, list: Array.from({ length: to - from + 1 }, (_, i) => from + i) };
}

function documentView(row: ComplianceDocumentRecord) {
  return {
    ...documentHeading(row),
    signed_on: row.signed_on,
    published_on: row.published_on,
    // Rows are selected by their counting day, so every one has a year.
    year: documentYear(row)!,
  };
}

function organsOf(rows: ComplianceDocumentRecord[]) {
  const organs = new Map<number, { id: number; name: string; short_name: string | null }>();
  for (const row of rows) organs.set(row.organ_id, { id: row.organ_id, name: row.organ_name, short_name: row.organ_short_name });
  return [...organs.values()].sort((a, b) => a.id - b.id);
}

/** Every year of the range gets a row, empty ones too, so trends show the gaps. */
function everyYear<T extends { year: number }>(years: number[], rows: T[], empty: (year: number) => T): T[] {
  return years.map((year) => rows.find((r) => r.year === year) ?? empty(year));
}

async function load({ db, clock }: ComplianceDeps, query: ComplianceQuery) {
  const today = clock.today();
  const years = await resolveYears(db, query, today);
  const rows = await listComplianceDocuments(db, {
    kinds: COMPLIANCE_KINDS,
    from: yearStart(years.from),
    to: yearEnd(years.to),
    organIds: query.organ_id === undefined ? undefined : [query.organ_id],
  });
  return { today, years, rows, organs: organsOf(rows) };
}

type LoadedDocuments = Awaited<ReturnType<typeof load>>;

function timelinessOf({ today, years, rows, organs }: LoadedDocuments) {
  const documents = rows.map((row) => {
    const t = assessTimeliness(row, today);
    return {
      ...documentView(row),
      timeliness: {
        status: t.status,
        status_label: TIMELINESS_LABELS[t.status],
        deadline: t.deadline,
        working_days: t.workingDays,
        missing_years: t.missingYears,
      },
    };
  });
  const tally = (group: readonly (typeof documents)[number][]) => tallyTimeliness(group.map((d) => d.timeliness.status));
  const grouped = tallyByOrganAndYear(documents, tally);
  const pick = (...statuses: TimelinessStatus[]) =>
    documents
      .filter((d) => statuses.includes(d.timeliness.status))
      .sort((a, b) => TIMELINESS_ORDER[a.timeliness.status] - TIMELINESS_ORDER[b.timeliness.status] || a.id - b.id);
  return {
    as_of: today,
    limit_working_days: DISCLOSURE_WORKING_DAYS,
    calendar: { first_year: CALENDAR_YEARS.first, last_year: CALENDAR_YEARS.last },
    years: { from: years.from, to: years.to },
    organs,
    groups: grouped.groups,
    by_year: everyYear(years.list, grouped.years, (year) => ({ year, ...tally([]) })),
    by_organ: grouped.organs,
    total: grouped.total,
    late: pick('overdue', 'late'),
    unknown_calendar: pick('unknown_calendar'),
    no_signed_on: pick('no_signed_on'),
  };
}

type InterpretationLink = Awaited<ReturnType<typeof interpretationLinksOfDocuments>>[number];

/** The interpretations published out of step with their document, each with the document. */
function flaggedInterpretations(links: InterpretationLink[], rows: ComplianceDocumentRecord[], lagDays: number) {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return links.flatMap((link) => {
    const doc = byId.get(link.document_id)!;
    const flag: InterpretationFlag | null = interpretationFlag(
      { document_published_on: doc.published_on, interpretation_published_on: link.published_on },
      lagDays,
    );
    if (flag === null) return [];
    return [
      {
        flag,
        flag_label: INTERPRETATION_FLAG_LABELS[flag],
        days_after: doc.published_on === null ? null : daysBetween(doc.published_on, link.published_on),
        interpretation: { id: link.id, title: link.title, published_on: link.published_on },
        document: documentView(doc),
      },
    ];
  });
}

async function interpretationsOf(db: Db, { today, years, rows }: LoadedDocuments, lagDays: number) {
  // Only what is public today: a scheduled interpretation neither covers nor is flagged yet.
  const links = (await interpretationLinksOfDocuments(db, rows.map((r) => r.id))).filter((l) => l.published_on <= today);
  const linked = new Set(links.map((l) => l.document_id));
  const documents = rows
    .filter((row) => (COVERAGE_KINDS as readonly string[]).includes(row.kind) && row.published_on !== null && row.published_on <= today)
    .map((row) => ({ ...documentView(row), covered: linked.has(row.id) }));
  const counted = new Set(documents.map((d) => d.id));
  const tally = (group: readonly (typeof documents)[number][]) => tallyCoverage(group.map((d) => d.covered));
  const grouped = tallyByOrganAndYear(documents, tally);
  return {
    as_of: today,
    lag_days: lagDays,
    years: { from: years.from, to: years.to },
    organs: organsOf(rows.filter((r) => counted.has(r.id))),
    groups: grouped.groups,
    by_year: everyYear(years.list, grouped.years, (year) => ({ year, ...tally([]) })),
    by_organ: grouped.organs,
    total: grouped.total,
    uncovered: documents.filter((d) => !d.covered),
    flagged: flaggedInterpretations(links, rows, lagDays),
  };
}

export function createComplianceService(deps: ComplianceDeps) {
  return {
    /** Per document, organ and year: published within 20 working days of 成文日期? */
    async timeliness(actor: Actor | null, query: ComplianceQuery) {
      assertCanRead(actor);
      return timelinessOf(await load(deps, query));
    },

    /** Share of normative documents with an interpretation, and interpretations out of step with their document. */
    async interpretations(actor: Actor | null, query: ComplianceQuery) {
      assertCanRead(actor);
      return interpretationsOf(deps.db, await load(deps, query), query.lag_days ?? DEFAULT_INTERPRETATION_LAG_DAYS);
    },

    /** Both, from one read of the documents. */
    async dashboard(actor: Actor | null, query: ComplianceQuery) {
      assertCanRead(actor);
      const loaded = await load(deps, query);
      return {
        timeliness: timelinessOf(loaded),
        interpretations: await interpretationsOf(deps.db, loaded, query.lag_days ?? DEFAULT_INTERPRETATION_LAG_DAYS),
      };
    },
  };
}

export type ComplianceService = ReturnType<typeof createComplianceService>;
export type TimelinessReport = Awaited<ReturnType<ComplianceService['timeliness']>>;
export type InterpretationReport = Awaited<ReturnType<ComplianceService['interpretations']>>;
export type DashboardReport = Awaited<ReturnType<ComplianceService['dashboard']>>;
