import { Router, type RequestHandler, type Response } from 'express';
import type { RelationType } from '../../db/tables.js';
import { DOCUMENT_KINDS, DOCUMENT_STATUSES, KIND_LABELS, STATUS_LABELS } from '../../shared/document-status.js';
import { idParam, isoDate, listParam, paging, parseOrThrow, withoutBlanks, z } from '../../http/validation.js';
import type { Actor } from '../accounts/actor.js';
import type { Services } from '../../services.js';
import { fileTypeLabel, formatSize } from './document-download.js';
import type { SearchParams } from '../search/search-result.js';
import { searchHref } from '../search/search.view.js';
import { versionLocals } from './versions.view.js';

const catalogQuery = z.object({
  kind: listParam(z.enum(DOCUMENT_KINDS, { error: '未知的文件类别' })),
  status: listParam(z.enum(DOCUMENT_STATUSES.filter((s) => s !== 'draft') as ['in_force'], { error: '未知的效力状态' })),
  as_of: isoDate('查询日期').optional(),
  ...paging,
});

/** Staff signed in on the HTML side may preview what is not yet public on a document's own page. */
const actorOf = (res: Response) => (res.locals['actor'] as Actor | null | undefined) ?? null;

const paragraphsOf = (text: string) => text.split(/\n+/).map((p) => p.trim()).filter(Boolean);

// Exhaustive over the stored relation types: the database accepts 'replaces' rows though no route records them yet.
const RELATION_LABELS: Record<RelationType, { outgoing: string; incoming: string }> = {
  amends: { outgoing: '本文件修改了', incoming: '本文件已被修改，修改文件' },
  repeals: { outgoing: '本文件废止了', incoming: '本文件已被废止，废止文件' },
  replaces: { outgoing: '本文件替代了', incoming: '本文件已被替代，新文件' },
};


type PublicServices = Pick<Services, 'clock' | 'documents' | 'interpretations' | 'browse' | 'versions'>;

/** A results page of everything by date, narrowed by `filter`: where the home and browse pages link. */
const listHref = (filter: Partial<SearchParams> = {}) => searchHref({ q: '', sort: 'date', page: 1, page_size: 20, ...filter });
/**
 * The documents a count counts, by date. Every count on the public pages is of published documents,
 * never their interpretations (one rule, said on each page), so the list it links to leaves them out.
 */
const countedHref = (filter: Partial<SearchParams> = {}) => listHref({ ...filter, type: 'document' });

function homePage({ clock, documents, browse }: Pick<PublicServices, 'clock' | 'documents' | 'browse'>): RequestHandler {
  return async (req, res) => {
    const query = parseOrThrow(catalogQuery, withoutBlanks(req.query), '查询条件有误');
    const today = clock.today();
    const [latest, topics] = await Promise.all([documents.list(null, query), browse.topics()]);
    res.render('index', {
      title: '首页',
      today,
      latest,
      query,
      topics: topics.filter((t) => t.documents > 0).map((t) => ({ ...t, href: countedHref({ topic: [t.name] }) })),
      statusLinks: DOCUMENT_STATUSES.filter((s) => s !== 'draft').map((s) => ({ label: STATUS_LABELS[s], href: listHref({ status: [s] }) })),
      kindLinks: DOCUMENT_KINDS.map((k) => ({ label: KIND_LABELS[k], href: listHref({ kind: [k] }) })),
      moreHref: countedHref({ kind: query.kind, status: query.status }),
    });
  };
}

type DocumentAsOf = Awaited<ReturnType<PublicServices['versions']['documentAsOf']>>;

/** What documents/show.ejs shows of a document (its text as given in `document.body`). */
export function documentLocals(document: DocumentAsOf) {
  const relations = Object.entries(RELATION_LABELS).flatMap(([relation, labels]) =>
    (['incoming', 'outgoing'] as const).flatMap((direction) => {
      const items = document.relations.filter((r) => r.relation === relation && r.direction === direction);
      return items.length ? [{ label: labels[direction], items: items.map((r) => r.document) }] : [];
    }),
  );
  return {
    title: document.title,
    document,
    issuers: [document.organ, ...document.co_issuers],
    paragraphs: paragraphsOf(document.body),
    relations,
    files: document.files.map((f) => ({
      ...f,
      href: `/api/v1/documents/${document.id}/files/${f.id}`,
      name: f.download_name,
      type_label: fileTypeLabel(f.type),
      size_label: formatSize(f.size),
      role_label: f.role === 'main' ? '原件' : '附件',
    })),
    searchHref: listHref(),
  };
}

/** A document with the text in force today, or on `?as_of=`, and its versions. */
function documentPage({ clock, versions }: Pick<PublicServices, 'clock' | 'versions'>): RequestHandler {
  return async (req, res) => {
    const { id } = parseOrThrow(z.object({ id: idParam('文件编号') }), req.params, '文件编号有误');
    const { as_of: asOf } = parseOrThrow(z.object({ as_of: isoDate('查询日期').optional() }), withoutBlanks(req.query), '查询日期有误');
    const document = await versions.documentAsOf(actorOf(res), id, asOf);
    res.render('documents/show', { ...documentLocals(document), ...versionLocals(document, document.version, clock.today(), asOf) });
  };
}

function interpretationPage(interpretations: PublicServices['interpretations']): RequestHandler {
  return async (req, res) => {
    const { id } = parseOrThrow(z.object({ id: idParam('解读编号') }), req.params, '解读编号有误');
    const interpretation = await interpretations.get(actorOf(res), id);
    res.render('interpretations/show', {
      title: interpretation.title,
      interpretation,
      paragraphs: paragraphsOf(interpretation.body),
    });
  };
}

function organsPage(browse: PublicServices['browse']): RequestHandler {
  return async (_req, res) => {
    const organs = await browse.organs();
    type Node = (typeof organs)[number] & { href: string; children: Node[] };
    const nodes = new Map<number, Node>(organs.map((o) => [o.id, { ...o, href: countedHref({ organ_id: [o.id] }), children: [] }]));
    const roots: Node[] = [];
    for (const node of nodes.values()) {
      const parent = node.parent_id === null ? undefined : nodes.get(node.parent_id);
      if (parent) parent.children.push(node);
      else roots.push(node);
    }
    res.render('browse/organs', { title: '按发文机关浏览', roots });
  };
}

function topicsPage(browse: PublicServices['browse']): RequestHandler {
  return async (_req, res) => {
    const topics = await browse.topics();
    res.render('browse/topics', {
      title: '按主题分类浏览',
      topics: topics.map((t) => ({ ...t, href: countedHref({ topic: [t.name] }) })),
    });
  };
}

/**
 * The public site: home, a document and an interpretation, browsing by organ and by topic (the
 * search results page is search.pages.ts). Lists always show what the public sees, whoever is signed
 * in; drafts appear nowhere here except on their own page for staff.
 */
export function pageRoutes(services: PublicServices) {
  const router = Router();
  router.get('/', homePage(services));
  router.get('/documents/:id', documentPage(services));
  router.get('/interpretations/:id', interpretationPage(services.interpretations));
  router.get('/organs', organsPage(services.browse));
  router.get('/topics', topicsPage(services.browse));
  return router;
}
