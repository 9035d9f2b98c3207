import { Router, type Request, type Response } from 'express';
import { AppError } from '../../errors.js';
import { requireStaff, staffActorOf } from '../../http/session.js';
import { parseOrThrow, z } from '../../http/validation.js';
import type { FileReader } from '../../http/multipart.js';
import { toCsv } from '../../shared/csv.js';
import type { OrganService } from '../catalog/organ.service.js';
import { article20FormTables } from '../article20/article20-form.js';
import { figuresOf } from '../article20/report.service.js';
import { organOptions } from '../article20/reports.pages.js';
import { booleanParam, yearParam } from '../article20/reports.schemas.js';
import { sendExport } from '../article20/reports.routes.js';
import { APPEAL_KINDS, APPEAL_KIND_LABELS, APPEAL_RESULTS, APPEAL_RESULT_LABELS, APPLICANT_LABELS, APPLICANT_TYPES, OUTCOME_ROWS, outcomeWording } from './annual-report.js';
import { appealsTable, requestsTable, SECTION_TITLES, type GridRow } from './annual-report-form.js';
import { exportAnnualReport, exportFileName, ANNUAL_EXPORT_TYPES, annualReportTitle, leadParagraph } from './annual-report-export.js';
import type { AnnualQuery, AnnualReport, AnnualReportService } from './annual-report.service.js';
import type { RegisterService } from './register.service.js';
import { annualCellQuery, appealListQuery, createAppealBody, createRequestBody, patchAppealBody, patchRequestBody, requestListQuery } from './annual-report.schemas.js';

const scopeQuery = z.object({
  year: yearParam('年份').optional(),
  organ_id: z.string().regex(/^[1-9]\d{0,9}$/, { error: '机关编号应为正整数' }).transform(Number).optional(),
  subtree: booleanParam('是否包含下级机关'),
});

function href(path: string, params: Record<string, string | number | boolean | undefined>): string {
  const defined = Object.entries(params).filter(([, v]) => v !== undefined && v !== '') as [string, string | number | boolean][];
  return `${path}?${new URLSearchParams(defined.map(([k, v]) => [k, String(v)] as [string, string]))}`;
}

/** A grid of the form with each number linked to the records behind it. */
function linkedGrid(rows: GridRow[], scope: AnnualQuery) {
  return rows.map((row) => row.map((cell) => ({ ...cell, href: cell.cell ? href('/staff/annual-report/cells', { ...scope, cell: cell.cell }) : null })));
}

function reportView(report: AnnualReport, scope: AnnualQuery) {
  const a20 = { year: scope.year, organ_id: scope.organ_id, subtree: scope.subtree };
  return {
    title: annualReportTitle(report),
    lead: leadParagraph(report.year),
    sectionTitles: SECTION_TITLES,
    article20Tables: article20FormTables(figuresOf(report.article20)).map((t) => ({
      ...t,
      rows: t.rows.map((r) => ({ ...r, values: r.values.map((v) => ({ ...v, href: href('/reports/article20/cells', { ...a20, cell: v.cell }) })) })),
    })),
    requestsGrid: linkedGrid(requestsTable(report.requests), scope),
    appealsGrid: linkedGrid(appealsTable(report.appeals), scope),
    unbalanced: report.requests.unbalanced.map((u) => ({ ...u, label: u.column === 'total' ? '总计' : APPLICANT_LABELS[u.column] })),
  };
}

async function resolveScope(annual: AnnualReportService, organs: OrganService, req: Request) {
  const query = parseOrThrow(scopeQuery, req.query, '查询条件有误');
  const list = await organs.list();
  const organ_id = query.organ_id ?? list[0]?.id;
  return { organs: organOptions(list), scope: organ_id === undefined ? null : { year: query.year ?? annual.defaultYear(), organ_id, subtree: query.subtree } };
}


/** The report page: every table, drill-downs, the balance check, the texts, exports and publication. */
function mountReportPages(router: Router, annual: AnnualReportService, organs: OrganService) {
  router.get('/staff/annual-report', requireStaff('report:read'), async (req, res) => {
    const { organs: organList, scope } = await resolveScope(annual, organs, req);
    if (!scope) return res.render('annual-report/report', { title: '政府信息公开工作年度报告', report: null, organs: [], scope: null });
    const actor = staffActorOf(res);
    const report = await annual.report(actor, scope);
    const published = (await annual.isPublished(scope)) ? await annual.publication(actor, scope) : null;
    res.render('annual-report/report', {
      ...reportView(report, scope),
      report,
      organs: organList,
      scope,
      textsSaved: await annual.textsSaved(scope.organ_id, scope.year),
      published,
      saved: req.query['saved'] === '1',
      exportHref: (format: string) => href('/staff/annual-report/export', { ...scope, format }),
      publishedHref: href('/staff/annual-report/published.docx', scope),
      yearsHref: href('/staff/annual-report/years', { organ_id: scope.organ_id, subtree: scope.subtree, to: scope.year }),
    });
  });

  router.get('/staff/annual-report/export', requireStaff('report:read'), async (req, res) => {
    const { scope } = await resolveScope(annual, organs, req);
    const format = req.query['format'] === 'xlsx' ? 'xlsx' : 'docx';
    if (!scope) throw new AppError(404, 'not_found', '尚未登记任何机关');
    sendExport(res, await exportAnnualReport(await annual.report(staffActorOf(res), scope), format));
  });

  router.get('/staff/annual-report/published.docx', requireStaff('report:read'), async (req, res) => {
    const { scope } = await resolveScope(annual, organs, req);
    if (!scope) throw new AppError(404, 'not_found', '尚未登记任何机关');
    const { bytes, report } = await annual.publishedDocx(staffActorOf(res), scope);
    sendExport(res, { name: exportFileName(report, 'docx', true), type: ANNUAL_EXPORT_TYPES.docx, bytes });
  });

  router.get('/staff/annual-report/cells', requireStaff('report:read'), async (req, res) => {
    const query = parseOrThrow(annualCellQuery, req.query, '查询条件有误');
    const result = await annual.cell(staffActorOf(res), query);
    const pages = Math.max(1, Math.ceil(result.total / query.page_size));
    const pageHref = (page: number) => href('/staff/annual-report/cells', { year: query.year, organ_id: query.organ_id, subtree: query.subtree, cell: query.cell, page });
    res.render('annual-report/cells', {
      title: `${query.year} 年度 · 构成数字的记录`,
      result,
      kind: query.cell.startsWith('requests.') ? 'requests' : 'appeals',
      reportHref: href('/staff/annual-report', { year: query.year, organ_id: query.organ_id, subtree: query.subtree }),
      prevHref: query.page > 1 ? pageHref(query.page - 1) : null,
      nextHref: query.page < pages ? pageHref(query.page + 1) : null,
    });
  });

  router.post('/staff/annual-report/texts', requireStaff('annual-report:write'), async (req, res) => {
    const form = (req.body ?? {}) as Record<string, string>;
    const scope = parseOrThrow(scopeQuery.required({ year: true, organ_id: true }), { year: form['year'], organ_id: form['organ_id'], subtree: form['subtree'] || 'false' }, '年度或机关有误');
    await annual.saveTexts(staffActorOf(res), { organ_id: scope.organ_id, year: scope.year, one: form['one'] ?? '', five: form['five'] ?? '', six: form['six'] ?? '' });
    res.redirect(303, href('/staff/annual-report', { ...scope, saved: 1 }));
  });

  router.post('/staff/annual-report/finalise', requireStaff('annual-report:write'), async (req, res) => {
    const form = (req.body ?? {}) as Record<string, string>;
    const scope = parseOrThrow(scopeQuery.required({ year: true, organ_id: true }), { year: form['year'], organ_id: form['organ_id'], subtree: form['subtree'] || 'false' }, '年度或机关有误');
    await annual.finalise(staffActorOf(res), scope);
    res.redirect(303, href('/staff/annual-report', scope));
  });

  router.get('/staff/annual-report/years', requireStaff('report:read'), async (req, res) => {
    const query = parseOrThrow(scopeQuery.extend({ to: yearParam('结束年份').optional() }), req.query, '查询条件有误');
    const { organs: organList, scope } = await resolveScope(annual, organs, req);
    if (!scope) return res.render('annual-report/years', { title: '年度报告逐年比较', reports: [], organs: [], scope: null });
    const to = query.to ?? scope.year;
    const reports: AnnualReport[] = [];
    for (let year = to - 4; year <= to; year++) reports.push(await annual.report(staffActorOf(res), { ...scope, year }));
    res.render('annual-report/years', { title: `${reports[0]!.article20.organ.name}年度报告逐年比较`, reports, organs: organList, scope: { ...scope, year: to }, rows: yearRows(reports, scope) });
  });
}

/** Year-over-year: one indicator per row, one year per column, every number a link. */
function yearRows(reports: AnnualReport[], scope: AnnualQuery) {
  const row = (label: string, cell: string | null, value: (r: AnnualReport) => number | string) => ({
    label,
    values: reports.map((r) => ({ text: String(value(r)), href: cell ? href('/staff/annual-report/cells', { ...scope, year: r.year, cell }) : null })),
  });
  return [
    row('行政规范性文件 · 本年制发', null, (r) => r.article20.normative.issued),
    row('行政规范性文件 · 现行有效', null, (r) => r.article20.normative.in_force),
    row('本年新收申请', 'requests.received.total', (r) => r.requests.received.total),
    row('上年结转申请', 'requests.carried_over.total', (r) => r.requests.carried_over.total),
    row('本年办结', 'requests.total.total', (r) => r.requests.outcomes.total.total),
    row('其中：予以公开', 'requests.disclosed.total', (r) => r.requests.outcomes.disclosed.total),
    row('其中：部分公开', 'requests.partially_disclosed.total', (r) => r.requests.outcomes.partially_disclosed.total),
    row('结转下年度', 'requests.carried_forward.total', (r) => r.requests.carried_forward.total),
    row('行政复议', 'appeals.review.total', (r) => r.appeals.review.total),
    row('行政诉讼', null, (r) => r.appeals.litigation_direct.total + r.appeals.litigation_after_review.total),
    row('信息处理费（元）', null, (r) => r.processing_fees.yuan),
    row('勾稽关系', null, (r) => (r.requests.balanced ? '平衡' : '不平衡')),
  ];
}

interface Field {
  name: string;
  label: string;
  type: 'text' | 'date' | 'select' | 'organ';
  required?: boolean;
  options?: { value: string; label: string }[];
}

const REQUEST_FIELDS: Field[] = [
  { name: 'organ_id', label: '受理机关', type: 'organ', required: true },
  { name: 'number', label: '申请编号', type: 'text', required: true },
  { name: 'received_on', label: '收到日期', type: 'date', required: true },
  { name: 'applicant_type', label: '申请人类型', type: 'select', required: true, options: APPLICANT_TYPES.map((t) => ({ value: t, label: t === 'natural_person' ? '自然人' : `法人或其他组织 · ${APPLICANT_LABELS[t]}` })) },
  { name: 'subject', label: '申请内容（可选）', type: 'text' },
  { name: 'correction_asked_on', label: '补正告知日期', type: 'date' },
  { name: 'correction_received_on', label: '补正收到日期', type: 'date' },
  { name: 'extended_on', label: '延期日期（只能延期一次）', type: 'date' },
  { name: 'concluded_on', label: '办结日期', type: 'date' },
  { name: 'outcome', label: '办理结果', type: 'select', options: OUTCOME_ROWS.map((o) => ({ value: o.code, label: outcomeWording(o.code) })) },
  { name: 'fee_yuan', label: '信息处理费（元，可选）', type: 'text' },
];

const APPEAL_FIELDS: Field[] = [
  { name: 'organ_id', label: '被申请机关', type: 'organ', required: true },
  { name: 'number', label: '案件编号', type: 'text', required: true },
  { name: 'kind', label: '案件类型', type: 'select', required: true, options: APPEAL_KINDS.map((k) => ({ value: k, label: APPEAL_KIND_LABELS[k] })) },
  { name: 'filed_on', label: '立案日期', type: 'date', required: true },
  { name: 'concluded_on', label: '审结日期', type: 'date' },
  { name: 'result', label: '结果', type: 'select', options: APPEAL_RESULTS.map((r) => ({ value: r, label: APPEAL_RESULT_LABELS[r] })) },
];

const TEMPLATES = {
  requests: [['申请编号', '受理机关', '收到日期', '申请人类型', '办结日期', '办理结果', '申请内容', '补正告知日期', '补正收到日期', '延期日期', '信息处理费（元）'], ['2024-001', '（机关全称）', '2024-01-05', '自然人', '2024-01-20', '不予公开-属于国家秘密', '', '', '', '', '']],
  appeals: [['案件编号', '被申请机关', '案件类型', '立案日期', '审结日期', '结果'], ['复议〔2024〕1号', '（机关全称）', '行政复议', '2024-02-01', '2024-04-01', '维持']],
};

/** A form's fields as the API body expects them: blanks dropped (absent), the organ as a number. */
function bodyOf(form: Record<string, unknown>, fields: Field[], blankAsNull: boolean) {
  const body: Record<string, unknown> = {};
  for (const f of fields) {
    const value = typeof form[f.name] === 'string' ? (form[f.name] as string).trim() : '';
    if (value === '') {
      if (blankAsNull && !f.required) body[f.name] = null;
      continue;
    }
    body[f.name] = f.type === 'organ' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  }
  return body;
}

interface RegisterPage {
  path: string;
  title: string;
  fields: Field[];
  list: (query: Record<string, unknown>) => Promise<{ total: number; items: Record<string, unknown>[] }>;
  get: (id: number) => Promise<Record<string, unknown>>;
  create: (res: Response, form: Record<string, unknown>) => Promise<unknown>;
  update: (res: Response, id: number, form: Record<string, unknown>) => Promise<unknown>;
  import: (res: Response, file: { name: string; bytes: Buffer }, dryRun: boolean) => Promise<{ errors: unknown[] }>;
  template: string[][];
}

/** One register's pages: list with filters, entry, edit, import and its template. */
function mountRegister(router: Router, page: RegisterPage, organs: OrganService, readFile: FileReader) {
  const render = async (req: Request, res: Response, status: number, extra: Record<string, unknown>) => {
    const query = { ...req.query, page: String(req.query['page'] ?? '1') };
    const result = await page.list(query);
    res.status(status).render('annual-report/register', {
      title: page.title,
      path: page.path,
      fields: page.fields,
      organs: organOptions(await organs.list()),
      filters: req.query,
      result,
      form: {},
      error: null,
      imported: null,
      ...extra,
    });
  };
  const onUserError = (res: Response, error: unknown, retry: () => Promise<void>) => {
    if (error instanceof AppError && error.status < 500 && error.status !== 403) return retry();
    throw error;
  };
  router.get(page.path, requireStaff('report:read'), (req, res) => render(req, res, 200, { saved: req.query['saved'] === '1' }));
  router.get(`${page.path}/template.csv`, requireStaff('report:read'), (_req, res) => {
    res.attachment(`${page.title}导入模板.csv`);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.send(toCsv(page.template));
  });
  router.post(page.path, requireStaff('register:write'), async (req, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      await page.create(res, form);
      res.redirect(303, `${page.path}?saved=1`);
    } catch (error) {
      await onUserError(res, error, () => render(req, res, (error as AppError).status, { form, error }));
    }
  });
  router.post(`${page.path}/import`, requireStaff('register:write'), async (req, res) => {
    try {
      const file = await readFile(req, res);
      const result = await page.import(res, file, (req.body as Record<string, unknown> | undefined)?.['dry_run'] === 'true');
      await render(req, res, result.errors.length ? 400 : 200, { imported: result });
    } catch (error) {
      await onUserError(res, error, () => render(req, res, (error as AppError).status, { error }));
    }
  });
  router.get(`${page.path}/:id`, requireStaff('report:read'), async (req, res) => {
    const id = parseOrThrow(z.object({ id: z.string().regex(/^\d{1,9}$/).transform(Number) }), req.params, '编号有误').id;
    const record = await page.get(id);
    res.render('annual-report/edit', { title: `${page.title} · 修改`, path: page.path, fields: page.fields, organs: organOptions(await organs.list()), record, form: formOf(record, page.fields), error: null });
  });
  router.post(`${page.path}/:id`, requireStaff('register:write'), async (req, res) => {
    const id = parseOrThrow(z.object({ id: z.string().regex(/^\d{1,9}$/).transform(Number) }), req.params, '编号有误').id;
    const form = (req.body ?? {}) as Record<string, unknown>;
    try {
      await page.update(res, id, form);
      res.redirect(303, `${page.path}?saved=1`);
    } catch (error) {
      await onUserError(res, error, async () => {
        const record = await page.get(id);
        res.status((error as AppError).status).render('annual-report/edit', { title: `${page.title} · 修改`, path: page.path, fields: page.fields, organs: organOptions(await organs.list()), record, form, error });
      });
    }
  });
}

/** A stored record as the edit form's values. */
function formOf(record: Record<string, unknown>, fields: Field[]): Record<string, string> {
  const organ = record['organ'] as { id: number };
  return Object.fromEntries(fields.map((f) => [f.name, f.type === 'organ' ? String(organ.id) : record[f.name] == null ? '' : String(record[f.name])]));
}

export function annualReportPages(annual: AnnualReportService, registers: RegisterService, organs: OrganService, readFile: FileReader) {
  const router = Router();
  mountReportPages(router, annual, organs);
  const listQuery = (schema: typeof requestListQuery | typeof appealListQuery, query: Record<string, unknown>) =>
    parseOrThrow(schema, Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '')), '筛选条件有误');
  mountRegister(router, {
    path: '/staff/registers/requests',
    title: '政府信息公开申请登记',
    fields: REQUEST_FIELDS,
    list: (q) => registers.listRequests(listQuery(requestListQuery, q) as z.output<typeof requestListQuery>),
    get: (id) => registers.getRequest(id),
    create: (res, form) => registers.createRequest(staffActorOf(res), parseOrThrow(createRequestBody, bodyOf(form, REQUEST_FIELDS, false), '申请信息有误')),
    update: (res, id, form) => registers.updateRequest(staffActorOf(res), id, parseOrThrow(patchRequestBody, bodyOf(form, REQUEST_FIELDS, true), '申请信息有误')),
    import: (res, file, dryRun) => registers.importRequests(staffActorOf(res), file, { dryRun }),
    template: TEMPLATES.requests,
  }, organs, readFile);
  mountRegister(router, {
    path: '/staff/registers/appeals',
    title: '行政复议、行政诉讼案件登记',
    fields: APPEAL_FIELDS,
    list: (q) => registers.listAppeals(listQuery(appealListQuery, q) as z.output<typeof appealListQuery>),
    get: (id) => registers.getAppeal(id),
    create: (res, form) => registers.createAppeal(staffActorOf(res), parseOrThrow(createAppealBody, bodyOf(form, APPEAL_FIELDS, false), '案件信息有误')),
    update: (res, id, form) => registers.updateAppeal(staffActorOf(res), id, parseOrThrow(patchAppealBody, bodyOf(form, APPEAL_FIELDS, true), '案件信息有误')),
    import: (res, file, dryRun) => registers.importAppeals(staffActorOf(res), file, { dryRun }),
    template: TEMPLATES.appeals,
  }, organs, readFile);

  // Open requests by working days left, overdue first: the deadlines of the compliance page.
  router.get('/staff/compliance/requests', requireStaff('report:read'), async (req, res) => {
    const organId = typeof req.query['organ_id'] === 'string' && /^\d{1,9}$/.test(req.query['organ_id']) ? Number(req.query['organ_id']) : null;
    const open = await registers.openRequests(organId);
    res.render('annual-report/deadlines', { title: '依申请公开答复期限', open, organs: organOptions(await organs.list()), organId, overdue: open.filter((r) => r.deadline?.state === 'overdue').length });
  });
  return router;
}
