import { defineRoute } from '../../http/api-route.js';
import type { DocumentService, UploadedFile } from './document.service.js';
import type { VersionService } from './document-versions.service.js';
import {
  asOfQuery,
  createDocumentBody,
  documentFileParams,
  documentIdParams,
  listDocumentsQuery,
  relationBody,
  repealBody,
  updateDocumentBody,
} from './documents.schemas.js';
import type { Response } from 'express';
import { sendDocumentFile as sendFile } from './document-download.js';

export const uploadedFile = (res: Response): UploadedFile | undefined => res.locals['file'] as UploadedFile | undefined;

export function documentRoutes(documents: DocumentService, versions: Pick<VersionService, 'documentAsOf'>) {
  return [
    defineRoute({
      method: 'get',
      path: '/documents',
      summary: '文件列表（效力状态按 as_of 计算，默认今天）',
      tag: 'documents',
      query: listDocumentsQuery,
      handler: ({ query, actor }) => documents.list(actor, query),
    }),
    defineRoute({
      method: 'post',
      path: '/documents',
      summary: '登记文件（JSON，或 multipart：file 原件 + metadata JSON）',
      tag: 'documents',
      permission: 'document:write',
      multipart: true,
      body: createDocumentBody,
      status: 201,
      handler: ({ body, actor, res }) => documents.create(actor, body, uploadedFile(res)),
    }),
    defineRoute({
      method: 'get',
      path: '/documents/:id',
      summary: '文件详情（version 与 body 为 as_of 当日施行的版本，默认今天）',
      tag: 'documents',
      params: documentIdParams,
      query: asOfQuery,
      handler: ({ params, query, actor }) => versions.documentAsOf(actor, params.id, query.as_of),
    }),
    defineRoute({
      method: 'patch',
      path: '/documents/:id',
      summary: '修改文件信息',
      tag: 'documents',
      permission: 'document:write',
      params: documentIdParams,
      body: updateDocumentBody,
      handler: ({ params, body, actor }) => documents.update(actor, params.id, body),
    }),
    defineRoute({
      method: 'post',
      path: '/documents/:id/repeal',
      summary: '废止文件',
      tag: 'documents',
      permission: 'document:write',
      params: documentIdParams,
      body: repealBody,
      handler: ({ params, body, actor }) => documents.repeal(actor, params.id, body),
    }),
    defineRoute({
      method: 'post',
      path: '/documents/:id/relations',
      summary: '记录本文件修改了另一文件（被修改文件继续有效）',
      tag: 'documents',
      permission: 'document:write',
      params: documentIdParams,
      body: relationBody,
      handler: ({ params, body, actor }) => documents.addAmendment(actor, params.id, body.target_id),
    }),
    ...documentFileRoutes(documents),
  ];
}

/** Downloads of a document's original and attachments, streamed with the stored type. */
function documentFileRoutes(documents: DocumentService) {
  return [
    defineRoute({
      method: 'get',
      path: '/documents/:id/file',
      summary: '下载原件',
      tag: 'documents',
      params: documentIdParams,
      handler: async ({ params, actor, res }) => sendFile(res, await documents.openFile(actor, params.id)),
    }),
    defineRoute({
      method: 'get',
      path: '/documents/:id/files/:file_id',
      summary: '下载原件或附件',
      tag: 'documents',
      params: documentFileParams,
      handler: async ({ params, actor, res }) => sendFile(res, await documents.openFile(actor, params.id, params.file_id)),
    }),
  ];
}
