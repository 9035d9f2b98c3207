import { defineRoute } from '../../http/api-route.js';
import { sendExport } from '../article20/reports.routes.js';
import { exportCatalog } from './catalog-export.js';
import type { CatalogService } from './catalogs.service.js';
import { endedCatalogQuery, inForceCatalogQuery } from './catalogs.schemas.js';

export function catalogRoutes(catalogs: CatalogService) {
  return [
    defineRoute({
      method: 'get',
      path: '/catalogs/in-force',
      summary: '现行有效文件目录（as_of 当日，默认今天）；format=xlsx|docx|csv 导出',
      tag: 'catalogs',
      query: inForceCatalogQuery,
      handler: async ({ query, actor, res }) => {
        const catalog = await catalogs.inForce(actor, query);
        if (query.format === 'json') return catalog;
        sendExport(res, await exportCatalog(catalog, query.format));
        return undefined;
      },
    }),
    defineRoute({
      method: 'get',
      path: '/catalogs/ended',
      summary: '期间内废止和失效的文件目录（from–to，默认今年）；format=xlsx|docx|csv 导出',
      tag: 'catalogs',
      query: endedCatalogQuery,
      handler: async ({ query, actor, res }) => {
        const catalog = await catalogs.ended(actor, query);
        if (query.format === 'json') return catalog;
        sendExport(res, await exportCatalog(catalog, query.format));
        return undefined;
      },
    }),
  ];
}
