import { Router, type RequestHandler } from 'express';
import { parseOrThrow, withoutBlanks } from '../../http/validation.js';
import type { OrganService } from '../catalog/organ.service.js';
import { catalogTable } from './catalog-export.js';
import type { CatalogService } from './catalogs.service.js';
import { inForceCatalogQuery } from './catalogs.schemas.js';

/** The public 现行有效目录: what the API's /catalogs/in-force lists, with its downloads. */
function inForcePage(catalogs: CatalogService, organs: Pick<OrganService, 'list'>): RequestHandler {
  return async (req, res) => {
    const query = parseOrThrow(inForceCatalogQuery, withoutBlanks(req.query), '目录查询条件有误');
    // The page answers as the public does, whoever is signed in: it is the published list.
    const [catalog, organList] = await Promise.all([catalogs.inForce(null, query), organs.list()]);
    const params = new URLSearchParams();
    if (query.organ_id !== undefined) params.set('organ_id', String(query.organ_id));
    if (query.subtree) params.set('subtree', 'true');
    params.set('as_of', catalog.as_of);
    for (const k of query.kind) params.append('kind', k);
    const exportHref = (format: string) => `/api/v1/catalogs/in-force?${params.toString()}&format=${format}`;
    res.render('catalogs/in-force', {
      title: '现行有效目录',
      catalog,
      table: catalogTable(catalog),
      query,
      organs: organList,
      downloads: (['xlsx', 'docx', 'csv'] as const).map((f) => ({ label: f.toUpperCase(), href: exportHref(f) })),
    });
  };
}

export function catalogPages(deps: { catalogs: CatalogService; organs: Pick<OrganService, 'list'> }) {
  const router = Router();
  router.get('/catalogs/in-force', inForcePage(deps.catalogs, deps.organs));
  return router;
}
