import type { Trx } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import type { DocumentKind } from '../../shared/document-status.js';
import { NotFoundError } from '../../errors.js';
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

async function loadFields(trx: Trx, id: number): Promise<{ fields: DocumentFields; repealedOn: IsoDate | null }> {
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
async function updateWithin(trx: Trx, actor: Actor, id: number, patch: DocumentPatch) {
  assertCanWrite(actor);
  if (!(await documents.lockDocument(trx, id))) throw new NotFoundError('文件不存在');
  const { fields: before, repealedOn } = await loadFields(trx, id);
  const after: DocumentFields = { ...before, ...patch };
  const { columns, topicIds } = await checkFields(trx, after, repealedOn, id);
  await documents.updateDocument(trx, id, columns);
  // The body of an amended document is its newest version's text: keep the two one.
  if (patch.body !== undefined) await setNewestVersionBody(trx, id, after.body);
  if (patch.topics) await documents.replaceDocumentTopics(trx, id, topicIds);
  if (patch.co_organ_ids) await documents.replaceCoIssuers(trx, id, after.co_organ_ids);
  await recordChange(trx, actor, 'document.update', id, { before: auditSnapshot(before), after: auditSnapshot(after) });
}

/** Publishing and editing documents. */
export function createDocumentPublishing({ db }: DocumentServiceDeps, { get }: Pick<DocumentReading, 'get'>) {
  return {
    update: inOwnTransaction(db, get, updateWithin),
    /** update() as one step of a caller's transaction, so a use case changing more commits all or nothing. */
    updateWithin,
  };
}
