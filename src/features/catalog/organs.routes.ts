import { defineRoute } from '../../http/api-route.js';
import { id, pageOf, paging, requiredText, text, z } from '../../http/validation.js';
import type { OrganService } from './organ.service.js';

const createOrganBody = z
  .object({
    name: requiredText('机关名称', 100),
    short_name: text('机关简称', 50).nullish(),
    doc_prefixes: z.array(requiredText('文号前缀', 30), { error: '文号前缀应为文本数组' }).max(20).optional(),
    parent_id: id('上级机关').nullish(),
  })
  .strict();

export function organRoutes(organs: OrganService) {
  return [
    defineRoute({
      method: 'get',
      path: '/organs',
      summary: '机关列表',
      tag: 'organs',
      query: z.object(paging),
      // A government has hundreds of organs at most: paging the whole list in memory is cheap.
      handler: async ({ query }) => pageOf(await organs.list(), query),
    }),
    defineRoute({
      method: 'post',
      path: '/organs',
      summary: '新增机关',
      tag: 'organs',
      permission: 'organ:write',
      body: createOrganBody,
      status: 201,
      handler: ({ body, actor }) => organs.create(actor, body),
    }),
  ];
}
