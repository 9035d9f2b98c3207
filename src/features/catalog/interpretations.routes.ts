import { defineRoute } from '../../http/api-route.js';
import { id, idParam, isoDate, paging, requiredText, text, z } from '../../http/validation.js';
import type { InterpretationService } from './interpretation.service.js';

const fields = {
  title: requiredText('标题', 500),
  body: text('正文', 2_000_000),
  published_on: isoDate('发布日期'),
  document_ids: z
    .array(id('关联文件'), { error: '关联文件应为文件编号数组' })
    .min(1, { error: '政策解读至少应关联一个文件' })
    .max(50),
};

export const createInterpretationBody = z.object(fields).strict();
const updateInterpretationBody = z
  .object(fields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { error: '没有要修改的字段' });
const params = z.object({ id: idParam('政策解读编号') });

export function interpretationRoutes(interpretations: InterpretationService) {
  return [
    defineRoute({
      method: 'get',
      path: '/interpretations',
      summary: '政策解读列表',
      tag: 'interpretations',
      query: z.object(paging),
      handler: ({ query, actor }) => interpretations.list(actor, query),
    }),
    defineRoute({
      method: 'post',
      path: '/interpretations',
      summary: '发布政策解读并关联文件',
      tag: 'interpretations',
      permission: 'interpretation:write',
      body: createInterpretationBody,
      status: 201,
      handler: ({ body, actor }) => interpretations.create(actor, body),
    }),
    defineRoute({
      method: 'get',
      path: '/interpretations/:id',
      summary: '政策解读详情（含关联文件）',
      tag: 'interpretations',
      params,
      handler: ({ params, actor }) => interpretations.get(actor, params.id),
    }),
    defineRoute({
      method: 'patch',
      path: '/interpretations/:id',
      summary: '修改政策解读或其关联文件',
      tag: 'interpretations',
      permission: 'interpretation:write',
      params,
      body: updateInterpretationBody,
      handler: ({ params, body, actor }) => interpretations.update(actor, params.id, body),
    }),
  ];
}
