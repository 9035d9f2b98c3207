import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import type { ExpiryDecision } from './compliance.js';
import type { IsoDate } from '../../shared/dates.js';
import { documentsWithRepeal, headingColumns } from '../../db/document.sql.js';

type Q = Db | Trx;

/** The day a document is counted by: 成文日期, else 发布日期 (see documentYear in domain/compliance.ts). */
const countingDay = sql<IsoDate | null>`coalesce(d.signed_on, d.published_on)`;

const complianceColumns = [...headingColumns, 'o.short_name as organ_short_name'] as const;

export type ComplianceDocumentRecord = Awaited<ReturnType<typeof listComplianceDocuments>>[number];

/**
 * Documents of the given kinds counted in [from, to] by their counting day, drafts with a 成文日期
 * included (an unpublished document can be overdue).
 */
export function listComplianceDocuments(
  db: Q,
  filter: { kinds: readonly string[]; from: IsoDate; to: IsoDate; organIds?: number[] | undefined },
) {
  let query = documentsWithRepeal(db)
    .select(complianceColumns)
    .where('d.kind', 'in', filter.kinds.length ? [...filter.kinds] : ['-'])
    .where(sql<boolean>`${countingDay} between ${filter.from}::date and ${filter.to}::date`);
  if (filter.organIds?.length) query = query.where('d.organ_id', 'in', filter.organIds);
  return query.orderBy(countingDay).orderBy('d.id').execute();
}

/** The first and last year any document of the kinds is counted in, for a default range of years. */
export async function countingYearSpan(db: Q, kinds: readonly string[]): Promise<{ first: number; last: number } | null> {
  const row = await db
    .selectFrom('documents as d')
    .select([
      sql<number | null>`extract(year from min(${countingDay}))::int`.as('first'),
      sql<number | null>`extract(year from max(${countingDay}))::int`.as('last'),
    ])
    .where('d.kind', 'in', kinds.length ? [...kinds] : ['-'])
    .executeTakeFirstOrThrow();
  return row.first === null || row.last === null ? null : { first: row.first, last: row.last };
}

export async function interpretationLinksOfDocuments(db: Q, documentIds: number[]) {
  if (documentIds.length === 0) return [];
  return db
    .selectFrom('interpretation_documents as l')
    .innerJoin('interpretations as i', 'i.id', 'l.interpretation_id')
    .select(['l.document_id', 'i.id', 'i.title', 'i.published_on'])
    // One array parameter: a dashboard over many years may pass more ids than PostgreSQL takes parameters.
    .where(sql<boolean>`l.document_id = any(${documentIds}::int[])`)
    .orderBy('i.published_on')
    .orderBy('i.id')
    .execute();
}

/**
 * Published, unrepealed documents of the kinds whose term ends in [from, to], soonest first. A
 * document with a repeal on record is out of the review: its end is already decided.
 */
export function listExpiringDocuments(
  db: Q,
  filter: { kinds: readonly string[]; from: IsoDate; to: IsoDate; publishedBy: IsoDate; organIds?: number[] | undefined },
) {
  let query = documentsWithRepeal(db)
    .select(complianceColumns)
    .where('d.kind', 'in', filter.kinds.length ? [...filter.kinds] : ['-'])
    .where('d.published_on', '<=', filter.publishedBy)
    .where('r.document_id', 'is', null)
    .where('d.expires_on', '>=', filter.from)
    .where('d.expires_on', '<=', filter.to);
  if (filter.organIds?.length) query = query.where('d.organ_id', 'in', filter.organIds);
  return query.orderBy('d.expires_on').orderBy('d.id').execute();
}

function reviewsWithUser(db: Q) {
  return db
    .selectFrom('expiry_reviews as e')
    .leftJoin('users as u', 'u.id', 'e.created_by')
    .select([
      'e.id',
      'e.document_id',
      'e.decision',
      'e.decided_on',
      'e.note',
      'e.previous_expires_on',
      'e.new_expires_on',
      'e.created_by',
      'u.username as created_by_username',
      'e.created_at',
    ]);
}

export type ExpiryReviewRecord = Awaited<ReturnType<typeof expiryReviewsOfDocument>>[number];

export function expiryReviewsOfDocument(db: Q, documentId: number) {
  return reviewsWithUser(db).where('e.document_id', '=', documentId).orderBy('e.id', 'desc').execute();
}

/** The latest decision on each of the documents. */
export async function latestExpiryReviews(db: Q, documentIds: number[]): Promise<Map<number, ExpiryReviewRecord>> {
  if (documentIds.length === 0) return new Map();
  const rows = await reviewsWithUser(db)
    .distinctOn('e.document_id')
    .where('e.document_id', 'in', documentIds)
    .orderBy('e.document_id')
    .orderBy('e.id', 'desc')
    .execute();
  return new Map(rows.map((row) => [row.document_id, row]));
}

export async function insertExpiryReview(
  trx: Trx,
  review: {
    documentId: number;
    decision: ExpiryDecision;
    decidedOn: IsoDate;
    note: string | null;
    previousExpiresOn: IsoDate | null;
    newExpiresOn: IsoDate | null;
    userId: number | null;
  },
): Promise<number> {
  const row = await trx
    .insertInto('expiry_reviews')
    .values({
      document_id: review.documentId,
      decision: review.decision,
      decided_on: review.decidedOn,
      note: review.note,
      previous_expires_on: review.previousExpiresOn,
      new_expires_on: review.newExpiresOn,
      created_by: review.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findExpiryReview(db: Q, id: number) {
  return reviewsWithUser(db).where('e.id', '=', id).executeTakeFirst();
}
