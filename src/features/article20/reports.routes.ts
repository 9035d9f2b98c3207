import type { Response } from 'express';
import { defineRoute } from '../../http/api-route.js';
import type { ImportResult, ImportService, TableImport } from './decision-import.service.js';
import type { FileReader } from '../../http/multipart.js';
import { exportArticle20 } from './report-export.js';
import type { ReportService } from './report.service.js';
import {
  article20CellsQuery,
  article20Query,
  article20YearsQuery,
  createDecisionBody,
  createFeeBody,
  importQuery,
} from './reports.schemas.js';

/**
 * An import with bad rows stored nothing: it answers 400, with DESIGN.md's fields beside the usual
 * error, so a client that only checks the status and one that reads `errors` both understand.
 */
function sendImportResult(res: Response, result: ImportResult<unknown>) {
  if (result.errors.length === 0) return result;
  res.status(400).json({
    error: { code: 'validation_failed', message: `文件中有 ${result.errors.length} 处错误，未导入任何数据，请改正后重新上传` },
    ...result,
  });
  return undefined;
}

/** Sends an export as a download; attachment() writes the Chinese name per RFC 6266/5987. */
export function sendExport(res: Response, file: { name: string; type: string; bytes: Buffer }) {
  res.attachment(file.name);
  res.setHeader('Content-Type', file.type);
  res.setHeader('Cache-Control', 'no-store');
  res.send(file.bytes);
}

/** POST /decisions/import or /fees/import: one ledger file, stored whole or, with any bad row, not at all. */
function importRoute(target: 'decisions' | 'fees', what: string, run: TableImport, readFile: FileReader) {
  return defineRoute({
    method: 'post',
    path: `/${target}/import`,
    summary: `${what}（multipart file：CSV 或 XLSX；dry_run=true 只检查不保存）`,
    tag: target,
    permission: 'decision:write',
    upload: true,
    query: importQuery,
    handler: async ({ query, actor, req, res }) => sendImportResult(res, await run(actor, await readFile(req, res), { dryRun: query.dry_run })),
  });
}

export function reportRoutes(reports: ReportService, imports: ImportService, readFile: FileReader) {
  return [
    defineRoute({
      method: 'get',
      path: '/reports/article20',
      summary: '年报第二十条（一）（五）（六）（八）项统计；format=xlsx|csv|docx 导出文件',
      tag: 'reports',
      query: article20Query,
      handler: async ({ query, actor, res }) => {
        const report = await reports.article20(actor, query);
        if (query.format === 'json') return report;
        sendExport(res, await exportArticle20(report, query.format));
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/reports/article20/cells',
      summary: '某一统计数字背后的文件、处理决定或收费记录（分页）',
      tag: 'reports',
      query: article20CellsQuery,
      handler: ({ query, actor }) => reports.cell(actor, query),
    }),
    defineRoute({
      method: 'get',
      path: '/reports/article20/years',
      summary: '多个年度的第二十条统计并列比较',
      tag: 'reports',
      query: article20YearsQuery,
      handler: ({ query, actor }) => reports.years(actor, query),
    }),
    importRoute('decisions', '导入行政许可、行政处罚、行政强制决定', imports.importDecisions, readFile),
    importRoute('fees', '导入行政事业性收费记录', imports.importFees, readFile),
    defineRoute({
      method: 'post',
      path: '/decisions',
      summary: '登记一件行政许可、行政处罚或行政强制决定',
      tag: 'decisions',
      permission: 'decision:write',
      body: createDecisionBody,
      status: 201,
      handler: ({ body, actor }) => imports.createDecision(actor, body),
    }),
    defineRoute({
      method: 'post',
      path: '/fees',
      summary: '登记一笔行政事业性收费（金额以元为单位的文本，如 "1234.56"）',
      tag: 'fees',
      permission: 'decision:write',
      body: createFeeBody,
      status: 201,
      handler: ({ body, actor }) => imports.createFee(actor, body),
    }),
  ];
}
