import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import type { DocumentKind } from '../../shared/document-status.js';
import { documentsWithRepeal, headingColumns } from '../../db/document.sql.js';
import { statusPredicate } from '../../db/status.sql.js';

export interface CatalogScope {
  /** Lead organs (as Article 20 counts: co-issuers are not joined); null for every organ. */
  organIds: number[] | null;
  kinds: DocumentKind[];
  /** The public sees only what is published by this day; staff (null) everything. */
  publishedBy: IsoDate | null;
}

function scoped(db: Db, scope: CatalogScope) {
  let query = documentsWithRepeal(db).where('d.kind', 'in', scope.kinds);
  if (scope.organIds !== null) query = query.where('d.organ_id', 'in', scope.organIds.length ? scope.organIds : [-1]);
  if (scope.publishedBy !== null) query = query.where('d.published_on', '<=', scope.publishedBy);
  return query;
}

/** Grouped by organ (by name), then in issue order. */
const catalogOrder = sql`o.name, coalesce(d.signed_on, d.published_on), d.id`;

/** The documents in force at the end of `day`, with the 文号 of the latest amendment in force by then. */
export function inForceDocuments(db: Db, scope: CatalogScope, day: IsoDate) {
  return scoped(db, scope)
    .where(statusPredicate('in_force', day))
    .select(headingColumns)
    .select(
      sql<string | null>`(select a.doc_number from document_versions v join documents a on a.id = v.amended_by_document_id
        where v.document_id = d.id and v.number > 1 and v.effective_on <= ${day}::date order by v.number desc limit 1)`.as('amended_by_doc_number'),
    )
    .orderBy(catalogOrder)
    .execute();
}

/**
 * The documents whose validity ended in [from, to]: repealed, or expired (the day after 有效期至), the
 * earlier of the two deciding, as Article 20 counts 本年废止.
 */
export function endedDocuments(db: Db, scope: CatalogScope, from: IsoDate, to: IsoDate) {
  const endedOn = sql<IsoDate>`least(r.repealed_on, d.expires_on + 1)`;
  return scoped(db, scope)
    .where('d.published_on', 'is not', null)
    .where(sql<boolean>`${endedOn} between ${from}::date and ${to}::date`)
    .leftJoin('documents as b', 'b.id', 'r.by_document_id')
    .select(headingColumns)
    .select([
      endedOn.as('ended_on'),
      sql<boolean>`coalesce(r.repealed_on <= d.expires_on + 1, r.repealed_on is not null)`.as('ended_by_repeal'),
      'r.reason as repeal_reason',
      'b.doc_number as repealed_by_doc_number',
    ])
    .orderBy(catalogOrder)
    .execute();
}
