import type { Db, Trx } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { docNumberKey, foldFullWidth, formatDocNumber, parseDocNumber } from '../../shared/doc-number.js';
import type { Actor } from '../accounts/actor.js';
import * as documents from './document.repository.js';
import { assertCanWrite, inOwnTransaction, recordChange, type DocumentServiceDeps } from './document-fields.service.js';
import type { DocumentReading } from './document-reading.service.js';

export type RepealInput = {
  repealed_on: IsoDate;
  by_document_id?: number | undefined;
  /** The repealing document by its 文号, in any spelling: what staff know of it. */
  by_doc_number?: string | undefined;
  reason?: string | undefined;
};

/** The repealing document named by its 文号: exactly one document must carry it. */
async function byDocNumber(trx: Db | Trx, docNumber: string): Promise<number> {
  const parsed = parseDocNumber(foldFullWidth(docNumber.trim()));
  if (!parsed) throw new ValidationError('废止信息有误', { by_doc_number: `无法识别的文号“${docNumber}”` });
  const found = await documents.findDocumentsByNumberKey(trx, docNumberKey(parsed));
  if (found.length === 0) throw new ValidationError('废止信息有误', { by_doc_number: `没有文号为“${formatDocNumber(parsed)}”的文件` });
  if (found.length > 1) {
    const names = found.map((d) => `${d.organ_name}《${d.title}》`).join('、');
    throw new ValidationError('废止信息有误', { by_doc_number: `有 ${found.length} 件文件使用文号“${formatDocNumber(parsed)}”（${names}），请从列表中选择` });
  }
  return found[0]!.id;
}

/** Why document `id` cannot be repealed as `input` says, field by field (none: it can). */
async function repealErrors(trx: Db | Trx, id: number, publishedOn: IsoDate | null, input: RepealInput) {
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

/**
 * Checks a repeal of document `id` without writing; answers the document and the repealing one
 * (resolved from its 文号 when given so), or throws what is wrong.
 */
async function checkRepeal(q: Db | Trx, id: number, input: RepealInput) {
  const doc = await documents.findDocumentSummary(q, id);
  if (!doc) throw new NotFoundError('文件不存在');
  if (doc.repealed_on) throw new ConflictError(`该文件已于 ${doc.repealed_on} 废止`);
  const { by_doc_number: docNumber, ...rest } = input;
  const resolved: RepealInput = docNumber === undefined ? rest : { ...rest, by_document_id: await byDocNumber(q, docNumber) };
  const errors = await repealErrors(q, id, doc.published_on, resolved);
  if (Object.keys(errors).length) throw new ValidationError('废止信息有误', errors);
  const by = resolved.by_document_id === undefined ? null : ((await documents.findDocumentSummary(q, resolved.by_document_id)) ?? null);
  return { doc, by, input: resolved };
}

/** Repeals document `id` in the caller's transaction; a repealing document is related to it. */
async function repealWithin(trx: Trx, actor: Actor, id: number, requested: RepealInput) {
  assertCanWrite(actor);
  if (!(await documents.lockDocument(trx, id))) throw new NotFoundError('文件不存在');
  const { input } = await checkRepeal(trx, id, requested);
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
    /** What a repeal would do (the document, the repealing one), checked but not written. */
    previewRepeal: async (actor: Actor, id: number, input: RepealInput) => {
      assertCanWrite(actor);
      return checkRepeal(db, id, input);
    },
    addAmendment: async (actor: Actor, id: number, targetId: number) => {
      assertCanWrite(actor);
      return amend(actor, id, targetId);
    },
  };
}
