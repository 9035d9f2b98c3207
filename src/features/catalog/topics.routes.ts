import { defineRoute } from '../../http/api-route.js';
import { pageOf, paging, z } from '../../http/validation.js';
import type { TopicService } from './topic.service.js';

export function topicRoutes(topics: TopicService) {
  return [
    defineRoute({
      method: 'get',
      path: '/topics',
      summary: '主题分类（受控词表）',
      tag: 'topics',
      query: z.object(paging),
      handler: async ({ query }) => pageOf(await topics.list(), query),
    }),
  ];
}
