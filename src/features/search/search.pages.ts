import { Router } from 'express';
import { DOCUMENT_STATUSES, STATUS_LABELS } from '../../shared/document-status.js';
import { ValidationError } from '../../errors.js';
import { parseOrThrow, withoutBlanks } from '../../http/validation.js';
import type { SearchParams } from './search-result.js';
import { searchQuery } from './search.schemas.js';
import type { SearchService } from './search.service.js';
import { searchPageModel } from './search.view.js';

const PUBLIC_STATUSES = DOCUMENT_STATUSES.filter((s) => s !== 'draft');

/** The results page: always what the public sees, whoever is signed in. */
export function searchPages(search: SearchService) {
  const router = Router();

  router.get('/search', async (req, res) => {
    let params: SearchParams;
    try {
      params = parseOrThrow(searchQuery, withoutBlanks(req.query), '检索条件有误');
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const q = typeof req.query['q'] === 'string' ? req.query['q'].slice(0, 200) : '';
      res.status(400).render('search/results', { title: '检索条件有误', error, q, result: null, model: null, params: null, statusOptions: [] });
      return;
    }
    if (params.q.trim() === '') params = { ...params, sort: 'date' };
    const [result, organNames] = await Promise.all([search.search(null, params), search.organNames(params.organ_id ?? [])]);
    res.render('search/results', {
      title: params.q ? `“${params.q}”的检索结果` : '文件检索',
      error: null,
      q: params.q,
      params,
      result,
      model: searchPageModel(params, result, organNames),
      statusOptions: PUBLIC_STATUSES.map((s) => [s, STATUS_LABELS[s]]),
    });
  });

  return router;
}
