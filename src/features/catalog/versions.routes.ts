import { defineRoute } from '../../http/api-route.js';
import type { VersionService } from './document-versions.service.js';
import { documentIdParams } from './documents.schemas.js';
import { uploadedFile } from './documents.routes.js';
import { compareQuery, newVersionBody, versionParams } from './versions.schemas.js';

/** A document's text versions after amendments (the document's own as_of answer is in documents.routes.ts). */
export function versionRoutes(versions: VersionService) {
  return [
    defineRoute({
      method: 'post',
      path: '/documents/:id/versions',
      summary: '添加修改后的文本版本（JSON，或 multipart：file 修订后文本 + metadata JSON）',
      tag: 'documents',
      permission: 'document:write',
      multipart: true,
      params: documentIdParams,
      body: newVersionBody,
      status: 201,
      handler: ({ params, body, actor, res }) => versions.add(actor, params.id, body, uploadedFile(res)),
    }),
    defineRoute({
      method: 'get',
      path: '/documents/:id/versions',
      summary: '文件的历史版本',
      tag: 'documents',
      params: documentIdParams,
      handler: ({ params, actor }) => versions.list(actor, params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/documents/:id/versions/:n',
      summary: '文件的某一版本（含正文）',
      tag: 'documents',
      params: versionParams,
      handler: ({ params, actor }) => versions.get(actor, params.id, params.n),
    }),
    defineRoute({
      method: 'get',
      path: '/documents/:id/compare',
      summary: '比较两个版本（逐字标出增删）',
      tag: 'documents',
      params: documentIdParams,
      query: compareQuery,
      handler: ({ params, query, actor }) => versions.compare(actor, params.id, query.from, query.to),
    }),
  ];
}
