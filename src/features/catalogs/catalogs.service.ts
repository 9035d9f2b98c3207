import type { Db } from '../../db/database.js';
import { minDate, yearStart, yearOf, type IsoDate } from '../../shared/dates.js';
import type { DocumentKind } from '../../shared/document-status.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { Clock } from '../../platform/clock.js';
import { can, type Actor } from '../accounts/actor.js';
import { findOrganById, organSubtreeIds } from '../catalog/organ.service.js';
import { endedDocuments, inForceDocuments, type CatalogScope } from './catalogs.repository.js';
import { amendmentNote, endReason, endedCatalogTitle, inForceCatalogTitle, placeOf } from './catalogs.js';

export interface CatalogQuery {
  organ_id?: number | undefined;
  subtree: boolean;
  kind: DocumentKind[];
}
export type InForceQuery = CatalogQuery & { as_of?: IsoDate | undefined };
export type EndedQuery = CatalogQuery & { from?: IsoDate | undefined; to?: IsoDate | undefined };

interface CatalogDeps {
  db: Db;
  clock: Clock;
}

/** One row of a 目录: what every 目录 shows, plus its own columns. */
interface CatalogRow {
  id: number;
  title: string;
  doc_number: string | null;
  organ_id: number;
  organ_name: string;
  signed_on: IsoDate | null;
  published_on: IsoDate | null;
  effective_on: IsoDate | null;
  expires_on: IsoDate | null;
}

/** Rows numbered 1…n (序号) and grouped by organ, in the order given. */
function numbered<R extends CatalogRow, X>(rows: R[], extra: (row: R) => X) {
  const items = rows.map((row, i) => ({
    number: i + 1,
    id: row.id,
    title: row.title,
    doc_number: row.doc_number,
    organ: { id: row.organ_id, name: row.organ_name },
    signed_on: row.signed_on,
    // Listed documents are published: 施行日期 defaults to the publication day.
    effective_on: (row.effective_on ?? row.published_on)!,
    expires_on: row.expires_on,
    ...extra(row),
  }));
  const groups: { organ: { id: number; name: string }; items: typeof items }[] = [];
  for (const item of items) {
    const last = groups.at(-1);
    if (last && last.organ.id === item.organ.id) last.items.push(item);
    else groups.push({ organ: item.organ, items: [item] });
  }
  return { total: items.length, items, groups };
}

/** The organs the 目录 covers and the place it is titled by. */
async function scope({ db, clock }: CatalogDeps, actor: Actor | null, query: CatalogQuery) {
  const organ = query.organ_id === undefined ? null : await findOrganById(db, query.organ_id);
  if (query.organ_id !== undefined && !organ) throw new NotFoundError('机关不存在');
  const organIds = organ ? (query.subtree ? await organSubtreeIds(db, organ.id) : [organ.id]) : null;
  const staff = can(actor, 'document:read-drafts');
  const catalogScope: CatalogScope = { organIds, kinds: query.kind, publishedBy: staff ? null : clock.today() };
  return { organ: organ ? { id: organ.id, name: organ.name } : null, place: placeOf(organ ?? null), catalogScope };
}

async function inForce(deps: CatalogDeps, actor: Actor | null, query: InForceQuery) {
  const asOf = query.as_of ?? deps.clock.today();
  const { organ, place, catalogScope } = await scope(deps, actor, query);
  // Neither a past nor a future day may show what is unpublished today.
  const rows = await inForceDocuments(deps.db, { ...catalogScope, publishedBy: catalogScope.publishedBy && minDate(asOf, catalogScope.publishedBy) }, asOf);
  return {
    catalog: 'in_force' as const,
    title: inForceCatalogTitle(place, query.kind, asOf),
    as_of: asOf,
    organ,
    subtree: query.subtree,
    kinds: query.kind,
    ...numbered(rows, (row) => ({ amended_by_doc_number: row.amended_by_doc_number, amendments: amendmentNote(row.amended_by_doc_number) })),
  };
}

async function ended(deps: CatalogDeps, actor: Actor | null, query: EndedQuery) {
  const today = deps.clock.today();
  const to = query.to ?? today;
  const from = query.from ?? yearStart(yearOf(to));
  if (from > to) throw new ValidationError('起始日期不能晚于结束日期', { from: '起始日期不能晚于结束日期' });
  const { organ, place, catalogScope } = await scope(deps, actor, query);
  const rows = await endedDocuments(deps.db, catalogScope, from, to);
  return {
    catalog: 'ended' as const,
    title: endedCatalogTitle(place, query.kind, from, to),
    from,
    to,
    organ,
    subtree: query.subtree,
    kinds: query.kind,
    ...numbered(rows, (row) => ({ ended_on: row.ended_on, ended_by: row.ended_by_repeal ? ('repealed' as const) : ('expired' as const), reason: endReason(row) })),
  };
}

/** The published 目录: the documents in force on a day, and those repealed or expired in a period. */
export function createCatalogService(deps: CatalogDeps) {
  return {
    inForce: (actor: Actor | null, query: InForceQuery) => inForce(deps, actor, query),
    ended: (actor: Actor | null, query: EndedQuery) => ended(deps, actor, query),
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
export type InForceCatalog = Awaited<ReturnType<typeof inForce>>;
export type EndedCatalog = Awaited<ReturnType<typeof ended>>;
