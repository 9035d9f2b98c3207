import { Router, type Request, type Response } from 'express';
import { EXPIRY_DECISIONS, EXPIRY_DECISION_LABELS } from './compliance.js';
import { AppError } from '../../errors.js';
import { requireStaff, sessionActorOf } from '../../http/session.js';
import { parseOrThrow } from '../../http/validation.js';
import { can } from '../accounts/actor.js';
import type { OrganService } from '../catalog/organ.service.js';
import type { ComplianceService } from './compliance.service.js';
import type { ExpiringQuery, ExpiryReviewService } from './expiry-review.service.js';
import { complianceQuery, documentIdParams, expiringQuery, expiryReviewForm, exportQuery } from './compliance.schemas.js';
import { sendComplianceCsv } from './compliance.routes.js';
import { dashboardView } from './compliance.view.js';

const STYLESHEETS = ['compliance.css'];

const FIELD_LABELS: Record<string, string> = {
  document: '文件',
  decision: '评估决定',
  decided_on: '决定日期',
  new_expires_on: '新的有效期至',
  note: '说明',
};

/** The query string that keeps the dashboard's filters on its links. */
function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

interface PageServices {
  compliance: ComplianceService;
  expiryReviews: ExpiryReviewService;
  organs: OrganService;
}

async function renderDashboard(services: PageServices, req: Request, res: Response) {
  const query = parseOrThrow(complianceQuery, req.query, '查询条件有误');
  const actor = sessionActorOf(res);
  const [report, expiring, organs] = await Promise.all([
    services.compliance.dashboard(actor, query),
    services.expiryReviews.listExpiring(actor, { organ_id: query.organ_id }),
    services.organs.list(),
  ]);
  const filters = {
    from: report.timeliness.years.from,
    to: report.timeliness.years.to,
    organ_id: query.organ_id,
    lag_days: report.interpretations.lag_days,
  };
  res.render('staff/compliance', {
    title: '公开合规看板',
    stylesheets: STYLESHEETS,
    report,
    expiring,
    view: dashboardView(report, expiring),
    organs,
    filters,
    exportHref: (table: string) => `/staff/compliance/export.csv${queryString({ ...filters, table })}`,
  });
}

async function renderExpiry(
  services: PageServices,
  res: Response,
  query: ExpiringQuery,
  extra: {
    status?: number;
    recorded?: number | undefined;
    /** A decision that was refused: shown at its document with the user's input. */
    failed?: { documentId: number; error: AppError; input: Record<string, unknown> };
  },
) {
  const actor = sessionActorOf(res);
  const [expiring, organs] = await Promise.all([services.expiryReviews.listExpiring(actor, query), services.organs.list()]);
  res.status(extra.status ?? 200).render('staff/compliance-expiry', {
    title: '文件清理评估',
    stylesheets: STYLESHEETS,
    expiring,
    organs,
    query,
    canDecide: can(actor, 'document:write'),
    decisions: EXPIRY_DECISIONS.map((value) => ({ value, label: EXPIRY_DECISION_LABELS[value] })),
    recorded: extra.recorded,
    failed: extra.failed ?? null,
    fieldLabels: FIELD_LABELS,
    returnQuery: queryString({ window_months: query.window_months, organ_id: query.organ_id }),
  });
}

async function recordDecision(services: PageServices, req: Request, res: Response) {
  const { id } = parseOrThrow(documentIdParams, req.params, '文件编号有误');
  // Where to come back to: the list as it was filtered, read leniently (a bad value just drops the filter).
  const back = expiringQuery.safeParse(req.query);
  const query = back.success ? back.data : {};
  const body = (req.body ?? {}) as Record<string, unknown>;
  try {
    const form = parseOrThrow(expiryReviewForm, body, '清理评估决定有误');
    await services.expiryReviews.record(sessionActorOf(res)!, id, form);
  } catch (error) {
    if (!(error instanceof AppError) || ![400, 409].includes(error.status)) throw error;
    return renderExpiry(services, res, query, { status: error.status, failed: { documentId: id, error, input: body } });
  }
  res.redirect(303, `/staff/compliance/expiry${queryString({ ...query, recorded: id })}#doc-${id}`);
}

/** Staff pages of the compliance dashboard and the expiry review, under /staff/compliance. */
export function compliancePages(compliance: ComplianceService, expiryReviews: ExpiryReviewService, organs: OrganService) {
  const services: PageServices = { compliance, expiryReviews, organs };
  const router = Router();

  router.get('/staff/compliance', requireStaff('report:read'), (req, res) => renderDashboard(services, req, res));

  router.get('/staff/compliance/export.csv', requireStaff('report:read'), async (req, res) => {
    await sendComplianceCsv(services, sessionActorOf(res), parseOrThrow(exportQuery, req.query, '导出条件有误'), res);
  });

  router.get('/staff/compliance/expiry', requireStaff('report:read'), async (req, res) => {
    const query = parseOrThrow(expiringQuery.extend({ recorded: documentIdParams.shape.id.optional() }), req.query, '查询条件有误');
    await renderExpiry(services, res, query, { recorded: query.recorded });
  });

  router.post('/staff/compliance/expiry/:id', requireStaff('document:write'), (req, res) => recordDecision(services, req, res));

  return router;
}
