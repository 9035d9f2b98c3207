import type { Trx } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import type { Actor } from '../accounts/actor.js';
import * as documents from './document.repository.js';
import { assertCanWrite, inOwnTransaction, recordChange, type DocumentServiceDeps } from './document-fields.service.js';
import type { DocumentReading } from './document-reading.service.js';

export type RepealInput = { repealed_on: IsoDate; by_document_id?: number | undefined; reason?: string | undefined };

/** Why document `id` cannot be repealed as `input` says, field by field (none: it can). */
async function repealErrors(trx: Trx, id: number, publishedOn: IsoDate | null, input: RepealInput) {
  const errors: Record<string, string> = {};
  if (!publishedOn) errors['repealed_on'] = '未发布的文件不能废止';
  else if (input.repealed_on < publishedOn) errors['repealed_on'] = `废止日期不能早于发布日期（${publishedOn}）`;
  if (input.by_document_id !== undefined) {
    const by = await documents.findDocumentSummary(trx, input.by_document_id);
    if (input.by_document_id === id) errors['by_document_id'] = '文件不能废止自身';
    else if (!by) errors['by_document_id'] = '废止依据文件不存在';
    else if (!by.published_on) errors['by_document_id'] = '废止依据文件尚未发布';
    else if (by.published_on > input.repealed_on) errors['by_document_id'] = '废止依据文件的发布日期晚于废止日期';
  }
  return errors;
}

/** Repeals document `id` in the caller's transaction; a repealing document is related to it. */
async function repealWithin(trx: Trx, actor: Actor, id: number, input: RepealInput) {
  assertCanWrite(actor);
  if (!(await documents.lockDocument(trx, id))) throw new NotFoundError('文件不存在');
  const doc = await documents.findDocumentSummary(trx, id);
  if (!doc) throw new NotFoundError('文件不存在');
  if (doc.repealed_on) throw new ConflictError(`该文件已于 ${doc.repealed_on} 废止`);
  const errors = await repealErrors(trx, id, doc.published_on, input);
  if (Object.keys(errors).length) throw new ValidationError('废止信息有误', errors);
  await documents.insertRepeal(trx, {
    documentId: id,
    repealedOn: input.repealed_on,
    byDocumentId: input.by_document_id ?? null,
    reason: input.reason ?? null,
    userId: actor.userId,
  });
  if (input.by_document_id !== undefined) await documents.insertRelation(trx, input.by_document_id, id, 'repeals');
  const reindex = input.by_document_id === undefined ? [id] : [id, input.by_document_id];
  await recordChange(trx, actor, 'document.repeal', id, { after: input }, reindex);
}

/** Records that document `id` amends `targetId`; the amended document stays in force. */
async function addAmendment(trx: Trx, actor: Actor, id: number, targetId: number) {
  if (id === targetId) throw new ValidationError('文件不能修改自身', { target_id: '文件不能修改自身' });
  const found = await documents.findDocumentSummaries(trx, [id, targetId]);
  if (!found.some((d) => d.id === id)) throw new NotFoundError('文件不存在');
  if (!found.some((d) => d.id === targetId)) {
    throw new ValidationError('被修改的文件不存在', { target_id: '被修改的文件不存在' });
  }
  await documents.insertRelation(trx, id, targetId, 'amends');
  await recordChange(trx, actor, 'document.relate', id, { after: { relation: 'amends', target_id: targetId } }, [id, targetId]);
}

/** Repealing documents, and the amendments that leave them in force. */
export function createDocumentRepeal({ db }: DocumentServiceDeps, { get }: Pick<DocumentReading, 'get'>) {
  const amend = inOwnTransaction(db, get, addAmendment);
  return {
    repeal: inOwnTransaction(db, get, repealWithin),
    /** repeal() as one step of a caller's transaction. */
    repealWithin,
    addAmendment: async (actor: Actor, id: number, targetId: number) => {
      assertCanWrite(actor);
      return amend(actor, id, targetId);
    },
  };
}
