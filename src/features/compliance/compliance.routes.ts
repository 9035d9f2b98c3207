import type { Response } from 'express';
import type { z } from 'zod';
import { defineRoute } from '../../http/api-route.js';
import { sendCsv } from '../../http/csv.js';
import type { Actor } from '../accounts/actor.js';
import type { ComplianceService } from './compliance.service.js';
import type { ExpiryReviewService } from './expiry-review.service.js';
import { complianceQuery, documentIdParams, expiringQuery, expiryReviewBody, exportQuery } from './compliance.schemas.js';
import { expiringCsv, reportCsv } from './compliance.view.js';

interface ComplianceServices {
  compliance: ComplianceService;
  expiryReviews: ExpiryReviewService;
}

/** One export table as a CSV download, for the API and the staff page alike; reads only what it shows. */
export async function sendComplianceCsv(
  services: ComplianceServices,
  actor: Actor | null,
  query: z.output<typeof exportQuery>,
  res: Response,
): Promise<void> {
  const { table } = query;
  const csv =
    table === 'expiring'
      ? expiringCsv(await services.expiryReviews.listExpiring(actor, query))
      : reportCsv(table, await services.compliance.dashboard(actor, query));
  sendCsv(res, csv.fileName, csv.rows);
}

/** The compliance figures and the expiry review, for API clients (the staff pages use the same services). */
export function complianceRoutes(compliance: ComplianceService, expiryReviews: ExpiryReviewService) {
  const services: ComplianceServices = { compliance, expiryReviews };
  return [
    defineRoute({
      method: 'get',
      path: '/compliance/timeliness',
      summary: '主动公开及时性：成文后 20 个工作日内公开的比例（按机关、年度），逾期文件清单',
      tag: 'compliance',
      permission: 'report:read',
      query: complianceQuery,
      handler: ({ query, actor }) => services.compliance.timeliness(actor, query),
    }),
    defineRoute({
      method: 'get',
      path: '/compliance/interpretations',
      summary: '政策解读覆盖率（按机关、年度）、无解读的规范性文件、发布时间异常的解读',
      tag: 'compliance',
      permission: 'report:read',
      query: complianceQuery,
      handler: ({ query, actor }) => services.compliance.interpretations(actor, query),
    }),
    defineRoute({
      method: 'get',
      path: '/compliance/expiring',
      summary: '有效期即将届满、需清理评估的文件（默认今后 6 个月）及最近的评估决定',
      tag: 'compliance',
      permission: 'report:read',
      query: expiringQuery,
      handler: ({ query, actor }) => services.expiryReviews.listExpiring(actor, query),
    }),
    defineRoute({
      method: 'get',
      path: '/compliance/documents/:id/expiry-reviews',
      summary: '一件文件的清理评估决定记录',
      tag: 'compliance',
      permission: 'report:read',
      params: documentIdParams,
      handler: ({ params, actor }) => services.expiryReviews.history(actor, params.id),
    }),
    defineRoute({
      method: 'post',
      path: '/compliance/documents/:id/expiry-reviews',
      summary: '记录清理评估决定：extend（延长有效期，须给 new_expires_on）、revise、let_expire、repeal（以决定日期废止）',
      tag: 'compliance',
      permission: 'document:write',
      params: documentIdParams,
      body: expiryReviewBody,
      status: 201,
      handler: ({ params, body, actor }) => services.expiryReviews.record(actor, params.id, body),
    }),
    defineRoute({
      method: 'get',
      path: '/compliance/export',
      summary: '导出 CSV：summary（机关×年度汇总）、timeliness、uncovered、flagged、expiring',
      tag: 'compliance',
      permission: 'report:read',
      query: exportQuery,
      handler: async ({ query, actor, res }) => {
        await sendComplianceCsv(services, actor, query, res);
        return undefined;
      },
    }),
  ];
}
