import type { Db, Trx } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import type { DocumentKind } from '../../shared/document-status.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { Actor } from '../accounts/actor.js';
import * as documents from './document.repository.js';
import { setNewestVersionBody } from './document-versions.repository.js';
import {
  assertCanWrite,
  auditSnapshot,
  checkFields,
  recordChange,
  inOwnTransaction,
  type DocumentFields,
  type DocumentPatch,
  type DocumentServiceDeps,
} from './document-fields.service.js';
import type { DocumentReading } from './document-reading.service.js';
import type { Clock } from '../../platform/clock.js';
import { isPublishedBy } from './publishing-checks.js';

async function loadFields(trx: Db | Trx, id: number): Promise<{ fields: DocumentFields; repealedOn: IsoDate | null }> {
  const row = await documents.findDocumentById(trx, id);
  if (!row) throw new NotFoundError('文件不存在');
  const [topics, coIssuers] = await Promise.all([
    documents.topicsOfDocuments(trx, [id]),
    documents.coIssuersOfDocuments(trx, [id]),
  ]);
  return {
    repealedOn: row.repealed_on,
    fields: {
      kind: row.kind as DocumentKind,
      title: row.title,
      doc_number: row.doc_number,
      index_number: row.index_number,
      organ_id: row.organ_id,
      co_organ_ids: (coIssuers.get(id) ?? []).map((o) => o.id),
      signed_on: row.signed_on,
      published_on: row.published_on,
      effective_on: row.effective_on,
      expires_on: row.expires_on,
      topics: topics.get(id) ?? [],
      body: row.body,
    },
  };
}

/** Changes a document's fields (publishing is setting published_on) in the caller's transaction. */
async function updateWithin(clock: Clock, trx: Trx, actor: Actor, id: number, patch: DocumentPatch) {
  assertCanWrite(actor);
  if (!(await documents.lockDocument(trx, id))) throw new NotFoundError('文件不存在');
  const { fields: before, repealedOn } = await loadFields(trx, id);
  const after: DocumentFields = { ...before, ...patch };
  const today = clock.today();
  const publishing = !isPublishedBy(before.published_on, today) && isPublishedBy(after.published_on, today);
  const { columns, topicIds } = await checkFields(trx, after, { today, repealedOn, ownId: id, publishing });
  await documents.updateDocument(trx, id, columns);
  // The body of an amended document is its newest version's text: keep the two one.
  if (patch.body !== undefined) await setNewestVersionBody(trx, id, after.body);
  if (patch.topics) await documents.replaceDocumentTopics(trx, id, topicIds);
  if (patch.co_organ_ids) await documents.replaceCoIssuers(trx, id, after.co_organ_ids);
  await recordChange(trx, actor, 'document.update', id, { before: auditSnapshot(before), after: auditSnapshot(after) });
}

/**
 * What publishing document `id` on `publishedOn` would meet, without writing: the refusals (missing
 * required fields, field → message) or the warnings the staff are asked to confirm.
 */
async function previewPublication(db: Db, clock: Clock, actor: Actor, id: number, publishedOn: IsoDate) {
  assertCanWrite(actor);
  const { fields, repealedOn } = await loadFields(db, id);
  try {
    const today = clock.today();
    const checked = await checkFields(db, { ...fields, published_on: publishedOn }, { today, repealedOn, ownId: id, publishing: true });
    return { errors: null, warnings: checked.warnings };
  } catch (error) {
    if (error instanceof ValidationError || error instanceof ConflictError) return { errors: error, warnings: [] };
    throw error;
  }
}

/** Publishing and editing documents. */
export function createDocumentPublishing({ db, clock }: DocumentServiceDeps, { get }: Pick<DocumentReading, 'get'>) {
  const within = (trx: Trx, actor: Actor, id: number, patch: DocumentPatch) => updateWithin(clock, trx, actor, id, patch);
  return {
    update: inOwnTransaction(db, get, within),
    /** update() as one step of a caller's transaction, so a use case changing more commits all or nothing. */
    updateWithin: within,
    previewPublication: (actor: Actor, id: number, publishedOn: IsoDate) => previewPublication(db, clock, actor, id, publishedOn),
  };
}
