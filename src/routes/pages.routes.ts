import { Router, type Response } from 'express';
import { DOCUMENT_KINDS, DOCUMENT_STATUSES, KIND_LABELS, STATUS_LABELS } from '../domain/document-status.js';
import { idParam, isoDate, listParam, paging, parseOrThrow, withoutBlanks, z } from '../http/validation.js';
import type { Actor } from '../services/actor.js';
import type { Services } from '../services/index.js';

const catalogQuery = z.object({
  kind: listParam(z.enum(DOCUMENT_KINDS, { error: '未知的文件类别' })),
  status: listParam(z.enum(DOCUMENT_STATUSES.filter((s) => s !== 'draft') as ['in_force'], { error: '未知的效力状态' })),
  as_of: isoDate('查询日期').optional(),
  ...paging,
});

const actorOf = (res: Response) => (res.locals['actor'] as Actor | null | undefined) ?? null;

/** Public HTML pages; they call the same services as the API. */
export function pageRoutes(services: Services) {
  const router = Router();

  router.get('/', async (req, res) => {
    const query = parseOrThrow(catalogQuery, withoutBlanks(req.query), '查询条件有误');
    const result = await services.documents.list(actorOf(res), query);
    res.render('index', {
      title: '规范性文件库',
      result,
      query,
      kinds: DOCUMENT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] })),
      statuses: DOCUMENT_STATUSES.filter((s) => s !== 'draft').map((s) => ({ value: s, label: STATUS_LABELS[s] })),
      pages: Math.max(1, Math.ceil(result.total / query.page_size)),
    });
  });

  router.get('/documents/:id', async (req, res) => {
    const { id } = parseOrThrow(z.object({ id: idParam('文件编号') }), req.params, '文件编号有误');
    const document = await services.documents.get(actorOf(res), id);
    res.render('documents/show', { title: document.title, document, paragraphs: document.body.split(/\n+/).filter(Boolean) });
  });

  router.get('/interpretations/:id', async (req, res) => {
    const { id } = parseOrThrow(z.object({ id: idParam('解读编号') }), req.params, '解读编号有误');
    const interpretation = await services.interpretations.get(actorOf(res), id);
    res.render('interpretations/show', {
      title: interpretation.title,
      interpretation,
      paragraphs: interpretation.body.split(/\n+/).filter(Boolean),
    });
  });

  return router;
}
