import { Router, type Request, type Response } from 'express';
import { DECISION_KINDS, DECISION_KIND_LABELS, fenToWanYuan } from './article20.js';
import { article20CellLabel, article20FormTables, type Article20Cell } from './article20-form.js';
import { AppError } from '../../errors.js';
import { requireStaff, sessionActorOf, staffActorOf } from '../../http/session.js';
import { parseOrThrow, z } from '../../http/validation.js';
import type { Actor } from '../accounts/actor.js';
import type { ImportResult, ImportService } from './decision-import.service.js';
import type { OrganService } from '../catalog/organ.service.js';
import { reportCaption } from './report-export.js';
import { figuresOf, type Article20Report, type ReportService } from './report.service.js';
import type { FileReader } from '../../http/multipart.js';
import { article20CellsQuery, booleanParam, createDecisionBody, createFeeBody, yearParam } from './reports.schemas.js';
import { groupBy } from '../../shared/group-by.js';

const pageQuery = z.object({
  year: yearParam('年份').optional(),
  organ_id: z.string().regex(/^[1-9]\d{0,9}$/, { error: '机关编号应为正整数' }).transform(Number).optional(),
  subtree: booleanParam('是否包含下级机关'),
});

const yearsPageQuery = pageQuery.extend({ from: yearParam('起始年份').optional(), to: yearParam('结束年份').optional() });

interface Scope {
  year: number;
  organ_id: number;
  subtree: boolean;
}

/** The query string of a report page or of the list behind one of its numbers. */
function href(path: string, scope: Scope, extra: Record<string, string | number> = {}): string {
  const params = new URLSearchParams({
    year: String(scope.year),
    organ_id: String(scope.organ_id),
    subtree: String(scope.subtree),
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, String(v)])),
  });
  return `${path}?${params}`;
}

const cellHref = (scope: Scope, cell: Article20Cell) => href('/reports/article20/cells', scope, { cell });

/** Organs in tree order, each with its depth, for a select that shows the hierarchy. */
export function organOptions(organs: { id: number; name: string; parent_id: number | null }[]) {
  const children = groupBy(organs, (o) => o.parent_id);
  const ids = new Set(organs.map((o) => o.id));
  const out: { id: number; label: string }[] = [];
  const walk = (parent: number | null, depth: number) => {
    for (const o of children.get(parent) ?? []) {
      out.push({ id: o.id, label: `${'　'.repeat(depth)}${o.name}` });
      walk(o.id, depth + 1);
    }
  };
  walk(null, 0);
  // Organs whose parent is missing from the list still appear.
  for (const o of organs) if (o.parent_id !== null && !ids.has(o.parent_id)) walk(o.parent_id, 0);
  return out;
}

/** Section 二 as the page shows it: the form's tables, each number linked to its list. */
function formTables(report: Article20Report) {
  const scope = { year: report.year, organ_id: report.organ_id, subtree: report.subtree };
  return article20FormTables(figuresOf(report)).map((table) => ({
    ...table,
    rows: table.rows.map((row) => ({ ...row, values: row.values.map((v) => ({ ...v, href: cellHref(scope, v.cell) })) })),
  }));
}

/** Year-over-year rows: one indicator per row, one year per column, every number a link. */
function yearRows(reports: Article20Report[]) {
  const indicator = (label: string, cell: Article20Cell, value: (r: Article20Report) => string) => ({
    label,
    values: reports.map((r) => ({ text: value(r), href: cellHref({ year: r.year, organ_id: r.organ_id, subtree: r.subtree }, cell) })),
  });
  return [
    indicator('规章 · 本年制发件数', 'rules.issued', (r) => String(r.rules.issued)),
    indicator('规章 · 本年废止件数', 'rules.ended', (r) => String(r.rules.ended)),
    indicator('规章 · 现行有效件数', 'rules.in_force', (r) => String(r.rules.in_force)),
    indicator('行政规范性文件 · 本年制发件数', 'normative.issued', (r) => String(r.normative.issued)),
    indicator('行政规范性文件 · 本年废止件数', 'normative.ended', (r) => String(r.normative.ended)),
    indicator('行政规范性文件 · 现行有效件数', 'normative.in_force', (r) => String(r.normative.in_force)),
    indicator('行政许可 · 本年处理决定数量', 'licensing', (r) => String(r.licensing)),
    indicator('行政处罚 · 本年处理决定数量', 'penalty', (r) => String(r.penalty)),
    indicator('行政强制 · 本年处理决定数量', 'enforcement', (r) => String(r.enforcement)),
    indicator('行政事业性收费 · 本年收费金额（万元）', 'fees', (r) => r.fees.wan_yuan),
  ];
}

const EMPTY_DECISION = { kind: 'penalty', decision_number: '', decided_on: '', organ_id: '' };
const EMPTY_FEE = { organ_id: '', item: '', amount_yuan: '', collected_on: '', receipt_number: '' };

const actorOf = (res: Response): Actor | null => sessionActorOf(res);

/**
 * The report pages (public: annual reports are published, and so are the decision numbers behind
 * them under the 行政执法公示 rules) and the staff page for entering decisions and fees.
 */
export function reportPages(reports: ReportService, imports: ImportService, organs: OrganService, readFile: FileReader) {
  const router = Router();
  router.get('/reports/article20', article20Page(reports, organs));
  router.get('/reports/article20/years', yearsPage(reports, organs));
  router.get('/reports/article20/cells', cellsPage(reports));
  mountEntryPages(router, imports, organs, readFile);
  return router;
}

/** The organ asked for, or the first top-level one; last year unless a year is given. */
async function resolveScope(reports: ReportService, organs: OrganService, query: z.output<typeof pageQuery>) {
  const list = await organs.list();
  const organ_id = query.organ_id ?? list[0]?.id;
  return { organs: list, scope: organ_id === undefined ? null : { year: query.year ?? reports.defaultYear(), organ_id, subtree: query.subtree } };
}

function article20Page(reports: ReportService, organs: OrganService) {
  return async (req: Request, res: Response) => {
    const query = parseOrThrow(pageQuery, req.query, '查询条件有误');
    const { organs: organList, scope } = await resolveScope(reports, organs, query);
    if (!scope) return res.render('reports/article20', { title: '年报第二十条统计', report: null, organs: [], scope: null });
    const report = await reports.article20(actorOf(res), scope);
    const exportHref = (format: string) => href('/api/v1/reports/article20', scope, { format });
    res.render('reports/article20', {
      title: `${reportCaption(report)}政府信息公开年报第二十条统计`,
      report,
      caption: reportCaption(report),
      tables: formTables(report),
      organs: organOptions(organList),
      scope,
      exports: [
        { label: 'Excel（XLSX）', href: exportHref('xlsx') },
        { label: 'Word（DOCX）', href: exportHref('docx') },
        { label: 'CSV', href: exportHref('csv') },
        { label: 'JSON', href: exportHref('json') },
      ],
      yearsHref: href('/reports/article20/years', scope, { from: scope.year - 4, to: scope.year }),
      reconciliation: reconciliationRows(report, scope),
    });
  };
}

/** Each group's reconciliation, every term linked to the documents behind it. */
function reconciliationRows(report: Article20Report, scope: Scope) {
  return (['rules', 'normative'] as const).map((group) => ({
    label: group === 'rules' ? '规章' : '行政规范性文件',
    ...report.reconciliation[group],
    hrefs: {
      in_force_previous: cellHref(scope, `${group}.in_force_previous`),
      pending_previous: cellHref(scope, `${group}.pending_previous`),
      issued: cellHref(scope, `${group}.issued`),
      ended: cellHref(scope, `${group}.ended`),
      ended_repealed: cellHref(scope, `${group}.ended_repealed`),
      ended_expired: cellHref(scope, `${group}.ended_expired`),
      pending: cellHref(scope, `${group}.pending`),
      in_force: cellHref(scope, `${group}.in_force`),
      differences: cellHref(scope, `${group}.differences`),
    },
    split: report[group],
  }));
}

function yearsPage(reports: ReportService, organs: OrganService) {
  return async (req: Request, res: Response) => {
    const query = parseOrThrow(yearsPageQuery, req.query, '查询条件有误');
    const { organs: organList, scope } = await resolveScope(reports, organs, query);
    if (!scope) return res.render('reports/years', { title: '年报第二十条逐年比较', result: null, organs: [], scope: null });
    const to = query.to ?? scope.year;
    const from = query.from ?? to - 4;
    const result = await reports.years(actorOf(res), { organ_id: scope.organ_id, subtree: scope.subtree, from, to });
    const first = result.reports[0]!;
    res.render('reports/years', {
      title: `${first.organ.name}政府信息公开年报第二十条逐年比较`,
      result,
      organName: first.organ.name,
      years: result.reports.map((r) => ({ year: r.year, href: href('/reports/article20', { ...scope, year: r.year }), balanced: r.reconciliation.balanced })),
      rows: yearRows(result.reports),
      organs: organOptions(organList),
      scope: { ...scope, from, to },
    });
  };
}

function cellsPage(reports: ReportService) {
  return async (req: Request, res: Response) => {
    const query = parseOrThrow(article20CellsQuery, req.query, '查询条件有误');
    const result = await reports.cell(actorOf(res), query);
    const pages = Math.max(1, Math.ceil(result.total / query.page_size));
    const pageHref = (page: number) => href('/reports/article20/cells', query, { cell: query.cell, page });
    res.render('reports/cells', {
      title: `${result.organ.name} ${result.year} 年度 · ${result.label}`,
      result,
      reportHref: href('/reports/article20', query),
      apiHref: href('/api/v1/reports/article20/cells', query, { cell: query.cell, page: query.page, page_size: query.page_size }),
      breakdownHrefs: {
        repealed: cellHref(query, query.cell.replace(/\.ended$/, '.ended_repealed') as Article20Cell),
        expired: cellHref(query, query.cell.replace(/\.ended$/, '.ended_expired') as Article20Cell),
      },
      wanYuan: 'sum' in result ? fenToWanYuan(BigInt(result.sum.fen)) : null,
      pages,
      prevHref: query.page > 1 ? pageHref(query.page - 1) : null,
      nextHref: query.page < pages ? pageHref(query.page + 1) : null,
      cellLabel: article20CellLabel,
    });
  };
}

interface EntryState {
  decision?: Record<string, string>;
  fee?: Record<string, string>;
  error?: AppError | null;
  errorFor?: string;
  imported?: (ImportResult<unknown> & { target: string }) | null;
  saved?: string | null;
}

const SAVED = { decision: '已登记一件处理决定。', fee: '已登记一笔收费。' } as const;

const organIdOf = (value: string | undefined) => (value && /^\d{1,10}$/.test(value) ? Number(value) : value);

/** Staff: decisions and fees typed in one by one, or imported from a ledger file. */
function mountEntryPages(router: Router, imports: ImportService, organs: OrganService, readFile: FileReader) {
  router.get('/staff/article20', requireStaff('decision:write'), async (req, res) => {
    const saved = req.query['saved'];
    await renderEntry(organs, res, 200, { saved: saved === 'decision' || saved === 'fee' ? SAVED[saved] : null });
  });

  router.post(
    '/staff/article20/decisions',
    requireStaff('decision:write'),
    entryHandler(organs, 'decision', (actor, form) =>
      imports.createDecision(actor, parseOrThrow(createDecisionBody, { ...form, organ_id: organIdOf(form['organ_id']) }, '处理决定信息有误')),
    ),
  );

  router.post(
    '/staff/article20/fees',
    requireStaff('decision:write'),
    entryHandler(organs, 'fee', (actor, form) =>
      imports.createFee(
        actor,
        parseOrThrow(createFeeBody, { ...form, organ_id: organIdOf(form['organ_id']), receipt_number: form['receipt_number'] || null }, '收费信息有误'),
      ),
    ),
  );

  // A multipart form: its CSRF token comes in the query string (see verifyCsrf).
  router.post('/staff/article20/import', requireStaff('decision:write'), async (req, res) => {
    const { target } = parseOrThrow(z.object({ target: z.enum(['decisions', 'fees'], { error: '导入类型应为处理决定或收费记录' }) }), req.query, '导入类型有误');
    try {
      const file = await readFile(req, res);
      const dryRun = (req.body as Record<string, unknown> | undefined)?.['dry_run'] === 'true';
      const run = target === 'decisions' ? imports.importDecisions : imports.importFees;
      const result = await run(staffActorOf(res), file, { dryRun });
      await renderEntry(organs, res, result.errors.length ? 400 : 200, { imported: { ...result, target } });
    } catch (error) {
      if (error instanceof AppError && error.status < 500 && error.status !== 403) return renderEntry(organs, res, error.status, { error, errorFor: 'import' });
      throw error;
    }
  });
}

async function renderEntry(organs: OrganService, res: Response, status: number, state: EntryState) {
  res.status(status).render('reports/entry', {
    title: '处理决定与收费登记',
    organs: organOptions(await organs.list()),
    kinds: DECISION_KINDS.map((k) => ({ value: k, label: DECISION_KIND_LABELS[k] })),
    decision: state.decision ?? EMPTY_DECISION,
    fee: state.fee ?? EMPTY_FEE,
    error: state.error ?? null,
    errorFor: state.errorFor ?? null,
    imported: state.imported ?? null,
    saved: state.saved ?? null,
  });
}

/** Re-renders the form with the user's input and the Chinese messages on a 4xx. */
function entryHandler(organs: OrganService, which: 'decision' | 'fee', save: (actor: Actor, form: Record<string, string>) => Promise<unknown>) {
  return async (req: Request, res: Response) => {
    const raw = (req.body ?? {}) as Record<string, unknown>;
    const template = which === 'decision' ? EMPTY_DECISION : EMPTY_FEE;
    const form = Object.fromEntries(Object.keys(template).map((k) => [k, typeof raw[k] === 'string' ? (raw[k] as string) : ''])) as Record<string, string>;
    try {
      await save(staffActorOf(res), form);
      res.redirect(303, `/staff/article20?saved=${which}`);
    } catch (error) {
      if (error instanceof AppError && error.status < 500 && error.status !== 403) {
        return renderEntry(organs, res, error.status, { [which]: form, error, errorFor: which });
      }
      throw error;
    }
  };
}
