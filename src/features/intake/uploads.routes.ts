import type { Response } from 'express';
import { defineRoute } from '../../http/api-route.js';
import { ValidationError } from '../../errors.js';
import type { DocumentService, UploadedFile } from '../catalog/document.service.js';
import type { SuggestionService } from './suggestion.service.js';
import { documentIdParams } from '../catalog/documents.schemas.js';
import { attachFileBody, suggestBody } from './uploads.schemas.js';

function requiredFile(res: Response): UploadedFile {
  const file = res.locals['file'] as UploadedFile | undefined;
  if (!file) throw new ValidationError('请选择要上传的文件（表单字段 file）', { file: '必填' });
  return file;
}

export function uploadRoutes(documents: DocumentService, suggestions: SuggestionService) {
  return [
    defineRoute({
      method: 'post',
      path: '/documents/suggest',
      summary: '从原件提取正文并建议文件信息（标题、文号、机关、日期、主题），不保存任何内容',
      tag: 'documents',
      permission: 'document:write',
      multipart: true,
      body: suggestBody,
      handler: ({ actor, res }) => suggestions.suggest(actor, requiredFile(res)),
    }),
    defineRoute({
      method: 'post',
      path: '/documents/:id/files',
      summary: '上传附件（role=attachment，默认）或替换原件（role=main）',
      tag: 'documents',
      permission: 'document:write',
      multipart: true,
      params: documentIdParams,
      body: attachFileBody,
      status: 201,
      handler: ({ params, body, actor, res }) => documents.attachFile(actor, params.id, requiredFile(res), body.role),
    }),
  ];
}
