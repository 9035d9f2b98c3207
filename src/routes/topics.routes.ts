import { defineRoute } from '../http/api-route.js';
import type { TopicService } from '../services/topic.service.js';

export function topicRoutes(topics: TopicService) {
  return [
    defineRoute({
      method: 'get',
      path: '/topics',
      summary: '主题分类（受控词表）',
      tag: 'topics',
      handler: async () => ({ items: await topics.list() }),
    }),
  ];
}
