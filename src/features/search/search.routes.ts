import { defineRoute } from '../../http/api-route.js';
import type { SearchService } from './search.service.js';
import { searchQuery, searchResponse } from './search.schemas.js';

export function searchRoutes(search: SearchService) {
  return [
    defineRoute({
      method: 'get',
      path: '/search',
      summary: '全文检索文件与政策解读（效力状态按今天计算；检索服务不可用时 mode 为 basic）',
      tag: 'search',
      query: searchQuery,
      response: searchResponse,
      handler: ({ query, actor }) => search.search(actor, query),
    }),
  ];
}
