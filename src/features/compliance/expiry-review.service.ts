import type { Db } from '../../db/database.js';
import {
  COMPLIANCE_KINDS,
  DEFAULT_EXPIRY_WINDOW_MONTHS,
  EXPIRY_DECISION_LABELS,
  checkExpiryDecision,
  expiryWindow,
  type ExpiryDecision,
} from './compliance.js';
import { daysBetween, type IsoDate } from '../../shared/dates.js';
import { STATUS_LABELS, documentStatusAsOf } from '../../shared/document-status.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { recordAudit } from '../accounts/audit.service.js';
import {
  expiryReviewsOfDocument,
  findExpiryReview,
  insertExpiryReview,
  latestExpiryReviews,
  listExpiringDocuments,
  type ExpiryReviewRecord,
} from './compliance.repository.js';
import { findDocumentSummary } from '../../db/document.sql.js';
import { lockDocument } from '../catalog/document.service.js';
import { can, type Actor } from '../accounts/actor.js';
import type { Clock } from '../../platform/clock.js';
import { translateDbError } from '../../db/db-errors.js';
import type { DocumentService } from '../catalog/document.service.js';
import { documentHeading } from '../catalog/document-view.js';

export interface ExpiryReviewInput {
  decision: ExpiryDecision;
  /** Defaults to today. */
  decided_on?: IsoDate | undefined;
  note?: string | undefined;
  /** Only for 'extend'. */
  new_expires_on?: IsoDate | undefined;
}

export interface ExpiringQuery {
  window_months?: number | undefined;
  organ_id?: number | undefined;
}

function reviewView(row: ExpiryReviewRecord) {
  return {
    id: row.id,
    document_id: row.document_id,
    decision: row.decision,
    decision_label: EXPIRY_DECISION_LABELS[row.decision],
    decided_on: row.decided_on,
    note: row.note,
    previous_expires_on: row.previous_expires_on,
    new_expires_on: row.new_expires_on,
    by: row.created_by === null ? null : { id: row.created_by, username: row.created_by_username },
    created_at: row.created_at,
  };
}

export type ExpiryReviewView = ReturnType<typeof reviewView>;

interface ExpiryReviewDeps {
  db: Db;
  clock: Clock;
  documents: DocumentService;
}

async function listExpiring({ db, clock }: ExpiryReviewDeps, actor: Actor | null, query: ExpiringQuery) {
  if (!can(actor, 'report:read')) throw new ForbiddenError();
  const today = clock.today();
  const months = query.window_months ?? DEFAULT_EXPIRY_WINDOW_MONTHS;
  const window = expiryWindow(today, months);
  const rows = await listExpiringDocuments(db, {
    kinds: COMPLIANCE_KINDS,
    from: window.from,
    to: window.to,
    publishedBy: today,
    organIds: query.organ_id === undefined ? undefined : [query.organ_id],
  });
  const latest = await latestExpiryReviews(db, rows.map((r) => r.id));
  const items = rows.map((row) => {
    const status = documentStatusAsOf(row, today);
    const review = latest.get(row.id);
    return {
      ...documentHeading(row),
      published_on: row.published_on,
      effective_on: row.effective_on ?? row.published_on,
      expires_on: row.expires_on!,
      days_left: daysBetween(today, row.expires_on!),
      status,
      status_label: STATUS_LABELS[status],
      latest_review: review ? reviewView(review) : null,
    };
  });
  return {
    as_of: today,
    window: { months, from: window.from, to: window.to },
    total: items.length,
    undecided: items.filter((i) => i.latest_review === null).length,
    items,
  };
}

async function history({ db }: ExpiryReviewDeps, actor: Actor | null, documentId: number) {
  if (!can(actor, 'report:read')) throw new ForbiddenError();
  if (!(await findDocumentSummary(db, documentId))) throw new NotFoundError('文件不存在');
  return { document_id: documentId, items: (await expiryReviewsOfDocument(db, documentId)).map(reviewView) };
}

async function record({ db, clock, documents }: ExpiryReviewDeps, actor: Actor, documentId: number, input: ExpiryReviewInput) {
  if (!can(actor, 'document:write')) throw new ForbiddenError();
  const today = clock.today();
  const decidedOn = input.decided_on ?? today;
  const newExpiresOn = input.new_expires_on ?? null;
  const note = input.note ? input.note : null;
  let reviewId: number;
  try {
    reviewId = await db.transaction().execute(async (trx) => {
      if (!(await lockDocument(trx, documentId))) throw new NotFoundError('文件不存在');
      const doc = (await findDocumentSummary(trx, documentId))!;
      const errors = checkExpiryDecision(doc, { decision: input.decision, decided_on: decidedOn, new_expires_on: newExpiresOn }, today);
      if (Object.keys(errors).length) throw new ValidationError('清理评估决定有误', errors);
      if (input.decision === 'extend') {
        await documents.updateWithin(trx, actor, documentId, { expires_on: newExpiresOn });
      } else if (input.decision === 'repeal') {
        await documents.repealWithin(trx, actor, documentId, { repealed_on: decidedOn, reason: note ?? '清理评估决定废止' });
      }
      const id = await insertExpiryReview(trx, {
        documentId,
        decision: input.decision,
        decidedOn,
        note,
        previousExpiresOn: doc.expires_on,
        newExpiresOn,
        userId: actor.userId,
      });
      await recordAudit(trx, {
        userId: actor.userId,
        ip: actor.ip,
        action: 'document.expiry_review',
        entity: 'document',
        entityId: documentId,
        after: {
          review_id: id,
          decision: input.decision,
          decided_on: decidedOn,
          note,
          previous_expires_on: doc.expires_on,
          new_expires_on: newExpiresOn,
        },
      });
      return id;
    });
  } catch (error) {
    throw translateDbError(error);
  }
  return reviewView((await findExpiryReview(db, reviewId))!);
}

/**
 * The expiry review (清理): documents whose term ends soon, and the decision taken on each. A decision
 * that changes the document goes through the document service (its validation, audit and index
 * job) inside the same transaction as the review row, so both are stored or neither.
 */
export function createExpiryReviewService(deps: ExpiryReviewDeps) {
  return {
    listExpiring: (actor: Actor | null, query: ExpiringQuery) => listExpiring(deps, actor, query),
    history: (actor: Actor | null, documentId: number) => history(deps, actor, documentId),
    record: (actor: Actor, documentId: number, input: ExpiryReviewInput) => record(deps, actor, documentId, input),
  };
}

export type ExpiryReviewService = ReturnType<typeof createExpiryReviewService>;
