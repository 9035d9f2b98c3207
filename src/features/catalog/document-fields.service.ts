import { createHash } from 'node:crypto';
import type { Db, Trx } from '../../db/database.js';
import type { DocumentUpdate } from '../../db/tables.js';
import { translateDbError } from '../../db/db-errors.js';
import type { IsoDate } from '../../shared/dates.js';
import { docNumberKey, formatDocNumber, parseDocNumber, type DocNumber } from '../../shared/doc-number.js';
import type { DocumentKind } from '../../shared/document-status.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.js';
import type { Storage } from '../../platform/storage.js';
import type { Clock } from '../../platform/clock.js';
import { can, type Actor } from '../accounts/actor.js';
import { recordAudit } from '../accounts/audit.service.js';
import { queueIndexing } from '../search/index-jobs.service.js';
import type { ExtractionService } from '../intake/extraction.service.js';
import { findDocumentsByNumber } from './document.repository.js';
import { findOrgansByIds } from './organ.repository.js';
import { findTopicsByNames } from './topic.repository.js';
import type { DocumentReading } from './document-reading.service.js';
import { isPublishedBy, missingFieldsWarning, missingForPublication, publishingWarnings, type PublishingWarning } from './publishing-checks.js';

// What the document service's use cases (registering, publishing, repealing, reading) share: the
// fields of a document and their checks, and how a change is authorized and committed.

export interface DocumentFields {
  kind: DocumentKind;
  title: string;
  doc_number: string | null;
  index_number: string | null;
  organ_id: number;
  co_organ_ids: number[];
  signed_on: IsoDate | null;
  published_on: IsoDate | null;
  effective_on: IsoDate | null;
  expires_on: IsoDate | null;
  topics: string[];
  body: string;
}

export type NewDocumentInput = Partial<DocumentFields> & Pick<DocumentFields, 'kind' | 'title' | 'organ_id'>;
export type DocumentPatch = Partial<DocumentFields>;

export interface DocumentServiceDeps {
  db: Db;
  storage: Storage;
  clock: Clock;
  extraction: ExtractionService;
}

const CONSTRAINT_MESSAGES = {
  documents_doc_number_title_unique: { field: 'doc_number', message: '该机关已有同一文号、同一标题的文件' },
  documents_index_number_key: { field: 'index_number', message: '索引号已被其他文件使用' },
  documents_organ_id_fkey: { field: 'organ_id', message: '发文机关不存在' },
};

/** A database error as the user should see it, for the races that slip past checkFields. */
export function translateWriteError(error: unknown) {
  return translateDbError(error, CONSTRAINT_MESSAGES);
}

export async function writeTransaction<T>(db: Db, work: (trx: Trx) => Promise<T>): Promise<T> {
  try {
    return await db.transaction().execute(work);
  } catch (error) {
    throw translateWriteError(error);
  }
}

/**
 * A use case written as a step of a caller's transaction (`updateWithin`, `repealWithin`), run in a
 * transaction of its own; answers with the document as it then is.
 */
export function inOwnTransaction<I>(
  db: Db,
  get: DocumentReading['get'],
  within: (trx: Trx, actor: Actor, id: number, input: I) => Promise<void>,
) {
  return async (actor: Actor, id: number, input: I) => {
    await writeTransaction(db, (trx) => within(trx, actor, id, input));
    return get(actor, id);
  };
}

export function assertCanWrite(actor: Actor | null) {
  if (!can(actor, 'document:write')) throw new ForbiddenError();
}

/**
 * The audit row and the index jobs of a change to document `id`, in the change's transaction so they
 * commit or vanish with it; `reindex` names the documents whose index records the change alters.
 */
export async function recordChange(
  trx: Trx,
  actor: Actor,
  action: string,
  id: number,
  change: { before?: unknown; after: unknown },
  reindex: number[] = [id],
) {
  await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action, entity: 'document', entityId: id, ...change });
  await queueIndexing(trx, 'document', reindex);
}

/**
 * The checks on a document's own fields (its 文号, the order of its dates); records problems in
 * `errors`. A 文号 whose year differs from the 成文日期's is real (amended rules keep their 令号): a
 * publishing warning, not an error.
 */
function checkOwnFields(fields: DocumentFields, repealedOn: IsoDate | null, errors: Record<string, string>) {
  let parsed: DocNumber | null = null;
  if (fields.doc_number !== null) {
    parsed = parseDocNumber(fields.doc_number);
    if (!parsed) errors['doc_number'] = '无法识别的文号，应形如“示政发〔2023〕5号”或“示例市人民政府令第3号”';
  }
  if (fields.signed_on && fields.published_on && fields.published_on < fields.signed_on) {
    errors['published_on'] = '发布日期不能早于成文日期';
  }
  if (fields.signed_on && fields.effective_on && fields.effective_on < fields.signed_on) {
    errors['effective_on'] = '施行日期不能早于成文日期';
  }
  const validFrom = fields.effective_on ?? fields.published_on ?? fields.signed_on;
  if (fields.expires_on && validFrom && fields.expires_on < validFrom) {
    errors['expires_on'] = '有效期至不能早于施行日期';
  } else if (fields.expires_on && fields.published_on && fields.expires_on < fields.published_on) {
    // Otherwise a document would be expired on its first public day.
    errors['expires_on'] = '有效期至不能早于发布日期';
  }
  if (repealedOn !== null) {
    if (!fields.published_on) errors['published_on'] = '已废止的文件不能改为未发布';
    else if (repealedOn < fields.published_on) errors['published_on'] = `发布日期不能晚于废止日期（${repealedOn}）`;
  }
  return parsed;
}

/** The checks of the organs and topics a document names; records problems in `errors`, returns the topics' ids. */
async function checkReferences(trx: Db | Trx, fields: DocumentFields, errors: Record<string, string>) {
  const organIds = [fields.organ_id, ...fields.co_organ_ids];
  const organs = await findOrgansByIds(trx, [...new Set(organIds)]);
  if (!organs.some((o) => o.id === fields.organ_id)) errors['organ_id'] = '发文机关不存在';
  const missing = fields.co_organ_ids.filter((id) => !organs.some((o) => o.id === id));
  if (missing.length) errors['co_organ_ids'] = `联合发文机关不存在：${missing.join('、')}`;
  else if (fields.co_organ_ids.includes(fields.organ_id)) errors['co_organ_ids'] = '联合发文机关不应包含主办机关';
  else if (new Set(fields.co_organ_ids).size !== fields.co_organ_ids.length) errors['co_organ_ids'] = '联合发文机关有重复';
  const topics = await findTopicsByNames(trx, fields.topics);
  const unknown = fields.topics.filter((name) => !topics.some((t) => t.name === name));
  if (unknown.length) errors['topics'] = `未知的主题分类：${unknown.join('、')}`;
  return { topicIds: topics.map((t) => t.id), lead: organs.find((o) => o.id === fields.organ_id) ?? null };
}

/** Where a document stands before the change checkFields is asked about. */
export interface CheckContext {
  today: IsoDate;
  repealedOn: IsoDate | null;
  /** The document being changed; none for a new one. */
  ownId?: number | undefined;
  /**
   * Whether this change is the act of publishing (a draft made public, or a new document public from
   * today): then missing required fields refuse it. A record of an earlier publication is kept, warned.
   */
  publishing: boolean;
}

/** The publishing checks: missing required fields in `errors` when publishing now, else the warnings. */
function checkPublication(
  fields: DocumentFields,
  parsed: DocNumber | null,
  lead: { name: string; doc_prefixes: string[] } | null,
  context: CheckContext,
  errors: Record<string, string>,
): PublishingWarning[] {
  if (!isPublishedBy(fields.published_on, context.today)) return [];
  const facts = { ...fields, doc_number: parsed, organ_name: lead?.name ?? null, organ_prefixes: lead?.doc_prefixes ?? [] };
  const missing = missingForPublication(facts);
  if (context.publishing) Object.assign(errors, Object.fromEntries(Object.entries(missing).filter(([f]) => !errors[f])));
  const recorded = context.publishing ? [] : missingFieldsWarning(missing, FIELD_NAMES);
  return [...recorded, ...publishingWarnings(facts, context.today)];
}

const FIELD_NAMES: Record<string, string> = { title: '标题', doc_number: '文号', signed_on: '成文日期', organ_id: '发文机关' };

/**
 * Cross-field and cross-table checks zod cannot make, every problem reported at once; then that no
 * other document than `ownId` of the same organ and kind holds the 文号. Returns the row's columns.
 */
export async function checkFields(trx: Db | Trx, fields: DocumentFields, context: CheckContext) {
  const errors: Record<string, string> = {};
  const parsed = checkOwnFields(fields, context.repealedOn, errors);
  const { topicIds, lead } = await checkReferences(trx, fields, errors);
  const warnings = checkPublication(fields, parsed, lead, context, errors);
  if (Object.keys(errors).length) throw new ValidationError(errorSummary(errors), errors);
  const key = parsed ? docNumberKey(parsed) : null;
  if (key !== null) warnings.push(...(await sharedNumberWarnings(trx, fields, key, context.ownId)));
  return { columns: columnsOf(fields, parsed, key, warnings), topicIds, warnings };
}

/**
 * Other documents of the organ and kind with the same 文号: the same title too is a true duplicate
 * (409); a different title is real (one 令号 republishes several amended texts), a warning.
 */
async function sharedNumberWarnings(trx: Db | Trx, fields: DocumentFields, key: string, ownId: number | undefined): Promise<PublishingWarning[]> {
  const others = (await findDocumentsByNumber(trx, fields.organ_id, fields.kind, key)).filter((d) => d.id !== ownId);
  const same = others.find((d) => d.title === fields.title);
  if (same) throw new ConflictError('该机关已有同一文号、同一标题的文件', { doc_number: `文号已被《${same.title}》使用` });
  if (others.length === 0) return [];
  const titles = others.slice(0, 3).map((d) => `《${d.title}》`).join('、');
  return [{ code: 'doc_number_shared', message: `文号与${titles}${others.length > 3 ? '等' : ''}相同；一个令号公布多件修改后的文本时属正常` }];
}

/** The message of a refusal: which required fields publishing lacks, when that is the trouble. */
function errorSummary(errors: Record<string, string>) {
  const missing = Object.keys(errors).filter((f) => errors[f]?.startsWith('发布前须'));
  return missing.length ? `发布前须填写：${missing.map((f) => FIELD_NAMES[f] ?? f).join('、')}` : '提交的文件信息有误';
}

function columnsOf(fields: DocumentFields, parsed: DocNumber | null, key: string | null, warnings: PublishingWarning[]) {
  return {
    warnings: JSON.stringify(warnings),
    kind: fields.kind,
    title: fields.title,
    doc_number: parsed ? formatDocNumber(parsed) : null,
    doc_number_prefix: parsed?.prefix ?? null,
    doc_number_year: parsed?.year ?? null,
    doc_number_serial: parsed?.serial ?? null,
    doc_number_key: key,
    index_number: fields.index_number,
    organ_id: fields.organ_id,
    signed_on: fields.signed_on,
    published_on: fields.published_on,
    effective_on: fields.effective_on,
    expires_on: fields.expires_on,
    body: fields.body,
  } satisfies DocumentUpdate;
}

/** What the audit log keeps of a document: every field, the body only as its length and hash. */
export function auditSnapshot(fields: DocumentFields) {
  const { body, ...rest } = fields;
  return { ...rest, body_length: body.length, body_sha256: createHash('sha256').update(body).digest('hex') };
}
