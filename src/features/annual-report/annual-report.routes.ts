import type { Response } from 'express';
import { defineRoute } from '../../http/api-route.js';
import type { FileReader } from '../../http/multipart.js';
import { importQuery } from '../article20/reports.schemas.js';
import { sendExport } from '../article20/reports.routes.js';
import type { AnnualReportService } from './annual-report.service.js';
import { ANNUAL_EXPORT_TYPES, exportAnnualReport, exportFileName } from './annual-report-export.js';
import type { RegisterImportResult, RegisterService } from './register.service.js';
import {
  annualCellQuery,
  annualQuery,
  appealListQuery,
  createAppealBody,
  createRequestBody,
  finaliseBody,
  idParams,
  patchAppealBody,
  patchRequestBody,
  publishedQuery,
  requestListQuery,
  textsBody,
} from './annual-report.schemas.js';

/** An import with bad rows stored nothing: 400, with the counts and every bad row beside the error. */
function sendImportResult(res: Response, result: RegisterImportResult) {
  if (result.errors.length === 0) return result;
  res.status(400).json({ error: { code: 'validation_failed', message: `文件中有 ${result.errors.length} 处错误，未导入任何数据，请改正后重新上传` }, ...result });
  return undefined;
}


function registerRoutes(registers: RegisterService, readFile: FileReader) {
  return [
    defineRoute({ method: 'get', path: '/disclosure-requests', summary: '政府信息公开申请登记（筛选、分页；未办结的附答复期限）', tag: 'registers', permission: 'report:read', query: requestListQuery, handler: ({ query }) => registers.listRequests(query) }),
    defineRoute({ method: 'post', path: '/disclosure-requests', summary: '登记一件政府信息公开申请', tag: 'registers', permission: 'register:write', body: createRequestBody, status: 201, handler: ({ body, actor }) => registers.createRequest(actor, body) }),
    defineRoute({ method: 'get', path: '/disclosure-requests/:id', summary: '一件申请', tag: 'registers', permission: 'report:read', params: idParams, handler: ({ params }) => registers.getRequest(params.id) }),
    defineRoute({ method: 'patch', path: '/disclosure-requests/:id', summary: '修改或办结一件申请（补正、延期、办结日期与办理结果）', tag: 'registers', permission: 'register:write', params: idParams, body: patchRequestBody, handler: ({ params, body, actor }) => registers.updateRequest(actor, params.id, body) }),
    defineRoute({
      method: 'post',
      path: '/disclosure-requests/import',
      summary: '导入申请登记（CSV 或 XLSX；同一机关同一编号不重复登记，可办结未办结的申请；有错误则全部不导入）',
      tag: 'registers',
      permission: 'register:write',
      upload: true,
      query: importQuery,
      handler: async ({ query, actor, req, res }) => sendImportResult(res, await registers.importRequests(actor, await readFile(req, res), { dryRun: query.dry_run })),
    }),
    defineRoute({ method: 'get', path: '/appeals', summary: '行政复议、行政诉讼案件登记', tag: 'registers', permission: 'report:read', query: appealListQuery, handler: ({ query }) => registers.listAppeals(query) }),
    defineRoute({ method: 'post', path: '/appeals', summary: '登记一件因政府信息公开引起的行政复议或行政诉讼案件', tag: 'registers', permission: 'register:write', body: createAppealBody, status: 201, handler: ({ body, actor }) => registers.createAppeal(actor, body) }),
    defineRoute({ method: 'get', path: '/appeals/:id', summary: '一件案件', tag: 'registers', permission: 'report:read', params: idParams, handler: ({ params }) => registers.getAppeal(params.id) }),
    defineRoute({ method: 'patch', path: '/appeals/:id', summary: '修改或审结一件案件', tag: 'registers', permission: 'register:write', params: idParams, body: patchAppealBody, handler: ({ params, body, actor }) => registers.updateAppeal(actor, params.id, body) }),
    defineRoute({
      method: 'post',
      path: '/appeals/import',
      summary: '导入行政复议、行政诉讼案件（CSV 或 XLSX；有错误则全部不导入）',
      tag: 'registers',
      permission: 'register:write',
      upload: true,
      query: importQuery,
      handler: async ({ query, actor, req, res }) => sendImportResult(res, await registers.importAppeals(actor, await readFile(req, res), { dryRun: query.dry_run })),
    }),
  ];
}

export function annualReportRoutes(annual: AnnualReportService, registers: RegisterService, readFile: FileReader) {
  return [
    ...registerRoutes(registers, readFile),
    defineRoute({
      method: 'get',
      path: '/reports/annual',
      summary: '政府信息公开工作年度报告全文数据（第二至四部分统计、信息处理费、第一、五、六部分文字）；format=docx|xlsx 导出',
      tag: 'reports',
      permission: 'report:read',
      query: annualQuery,
      handler: async ({ query, actor, res }) => {
        const report = await annual.report(actor, query);
        if (query.format === 'json') return report;
        sendExport(res, await exportAnnualReport(report, query.format));
        return undefined;
      },
    }),
    defineRoute({ method: 'get', path: '/reports/annual/cells', summary: '第三、四部分某一统计数字背后的申请或案件（分页）', tag: 'reports', permission: 'report:read', query: annualCellQuery, handler: ({ query, actor }) => annual.cell(actor, query) }),
    defineRoute({ method: 'post', path: '/reports/annual/texts', summary: '保存第一、五、六部分文字（按机关和年度）', tag: 'reports', permission: 'annual-report:write', body: textsBody, handler: ({ body, actor }) => annual.saveTexts(actor, body) }),
    defineRoute({ method: 'post', path: '/reports/annual/finalise', summary: '定稿发布年度报告：保存当时的数字、文字和 DOCX', tag: 'reports', permission: 'annual-report:write', body: finaliseBody, status: 201, handler: ({ body, actor }) => annual.finalise(actor, body) }),
    defineRoute({
      method: 'get',
      path: '/reports/annual/published',
      summary: '已定稿的年度报告及其后登记变动造成的差异；format=docx 下载发布时的原件',
      tag: 'reports',
      permission: 'report:read',
      query: publishedQuery,
      handler: async ({ query, actor, res }) => {
        if (query.format === 'json') return annual.publication(actor, query);
        const { bytes, report } = await annual.publishedDocx(actor, query);
        sendExport(res, { name: exportFileName(report, 'docx', true), type: ANNUAL_EXPORT_TYPES.docx, bytes });
        return undefined;
      },
    }),
  ];
}
