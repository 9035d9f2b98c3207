import { defineRoute } from '../../http/api-route.js';
import type { InterpretationService } from './interpretation.service.js';
import {
  createInterpretationBody,
  interpretationIdParams as params,
  listInterpretationsQuery,
  updateInterpretationBody,
} from './interpretations.schemas.js';

export function interpretationRoutes(interpretations: InterpretationService) {
  return [
    defineRoute({
      method: 'get',
      path: '/interpretations',
      summary: '政策解读列表',
      tag: 'interpretations',
      query: listInterpretationsQuery,
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
