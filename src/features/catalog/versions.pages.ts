import { Router, type RequestHandler, type Response } from 'express';
import { idParam, parseOrThrow, z } from '../../http/validation.js';
import type { Actor } from '../accounts/actor.js';
import type { Clock } from '../../platform/clock.js';
import type { VersionService } from './document-versions.service.js';
import { documentLocals } from './public.pages.js';
import { compareQuery } from './versions.schemas.js';
import { changeCounts, versionLocals } from './versions.view.js';

const actorOf = (res: Response) => (res.locals['actor'] as Actor | null | undefined) ?? null;

interface VersionPageDeps {
  clock: Clock;
  versions: Pick<VersionService, 'documentAsOf' | 'get' | 'compare'>;
}

/** One version's text at its own address. */
function versionPage({ clock, versions }: VersionPageDeps): RequestHandler {
  return async (req, res) => {
    const { id, n } = parseOrThrow(z.object({ id: idParam('文件编号'), n: idParam('版本号') }), req.params, '版本号有误');
    const [document, version] = await Promise.all([versions.documentAsOf(actorOf(res), id), versions.get(actorOf(res), id, n)]);
    const shown = { ...document, body: version.body, version: n };
    res.render('documents/show', { ...documentLocals(shown), ...versionLocals(shown, n, clock.today()), title: `${document.title}（${n === 1 ? '原文' : `第 ${n} 版`}）` });
  };
}

/** Two versions compared character by character, insertions and deletions marked in the text. */
function comparePage({ versions }: VersionPageDeps): RequestHandler {
  return async (req, res) => {
    const { id } = parseOrThrow(z.object({ id: idParam('文件编号') }), req.params, '文件编号有误');
    const { from, to } = parseOrThrow(compareQuery, req.query, '请选择要比较的两个版本');
    const [document, comparison] = await Promise.all([versions.documentAsOf(actorOf(res), id), versions.compare(actorOf(res), id, from, to)]);
    res.render('documents/compare', {
      title: `${document.title} 版本比较`,
      document,
      comparison,
      counts: changeCounts(comparison.parts),
      versions: document.versions,
    });
  };
}

/** The pages of a document's versions (the document page itself is public.pages.ts). */
export function versionPages(deps: VersionPageDeps) {
  const router = Router();
  router.get('/documents/:id/versions/:n', versionPage(deps));
  router.get('/documents/:id/compare', comparePage(deps));
  return router;
}
