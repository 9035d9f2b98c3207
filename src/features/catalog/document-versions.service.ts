import type { Db, Trx } from '../../db/database.js';
import { addDays, type IsoDate } from '../../shared/dates.js';
import { docNumberKey, parseDocNumber } from '../../shared/doc-number.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { Clock } from '../../platform/clock.js';
import type { Storage } from '../../platform/storage.js';
import { can, type Actor } from '../accounts/actor.js';
import * as documents from './document.repository.js';
import * as versions from './document-versions.repository.js';
import { assertCanWrite, recordChange, writeTransaction } from './document-fields.service.js';
import type { DocumentService, PreparedFile, UploadedFile } from './document.service.js';
import { newVersionErrors, supersededBy, versionAsOf } from './document-versions.js';
import { diffChars } from './text-diff.js';

export interface NewVersionInput {
  amended_by_document_id?: number | undefined;
  amended_by_doc_number?: string | undefined;
  effective_on: IsoDate;
  body?: string | undefined;
  note?: string | undefined;
}

interface VersionDeps {
  db: Db;
  storage: Storage;
  clock: Clock;
  documents: Pick<DocumentService, 'get' | 'prepareFile'>;
}

type VersionRecord = versions.VersionRecord;

/** The amending document named by id or by 文号 (which must be registered, and name only one). */
async function resolveAmending(trx: Trx, input: NewVersionInput) {
  if (input.amended_by_document_id !== undefined) {
    const found = await documents.findDocumentSummary(trx, input.amended_by_document_id);
    if (!found) throw new ValidationError('修改文件不存在', { amended_by_document_id: '修改文件不存在（须先登记）' });
    return found;
  }
  const text = input.amended_by_doc_number ?? '';
  const parsed = parseDocNumber(text);
  if (!parsed) throw new ValidationError('无法识别修改文件的文号', { amended_by_doc_number: `无法识别的文号：“${text}”` });
  const found = await versions.findDocumentsByNumberKey(trx, docNumberKey(parsed));
  if (found.length === 0) throw new ValidationError('未找到该文号的文件', { amended_by_doc_number: `未登记文号为“${text}”的文件，请先登记修改文件` });
  if (found.length > 1) throw new ValidationError('多个文件使用该文号', { amended_by_doc_number: '多个文件使用该文号，请改用 amended_by_document_id' });
  return found[0]!;
}

/** Stores the uploaded consolidated text (修订后文本) and answers how the version refers to it. */
async function keepFile(storage: Storage, trx: Trx, file: PreparedFile) {
  const stored = await storage.put(file.upload.bytes);
  await documents.insertStoredFile(trx, { sha256: stored.sha256, size: stored.size, type: file.upload.type });
  return { sha256: stored.sha256, name: file.upload.name };
}

/**
 * Adds the next version of document `id` in the caller's transaction: writes the text as issued as
 * version 1 the first time, makes the new text the document's body (what search indexes), and
 * records the `amends` relation if there is none.
 */
async function addWithin(storage: Storage, trx: Trx, actor: Actor, id: number, input: NewVersionInput, file?: PreparedFile) {
  assertCanWrite(actor);
  if (!(await documents.lockDocument(trx, id))) throw new NotFoundError('文件不存在');
  const doc = (await documents.findDocumentById(trx, id))!;
  const amending = await resolveAmending(trx, input);
  const existing = await versions.versionsOfDocument(trx, id);
  const firstDay = doc.effective_on ?? doc.published_on ?? doc.signed_on ?? input.effective_on;
  const errors = newVersionErrors({
    documentId: id,
    publishedOn: doc.published_on,
    repealedOn: doc.repealed_on,
    latestEffectiveOn: existing.at(-1)?.effective_on ?? firstDay,
    amending,
    effectiveOn: input.effective_on,
  });
  const body = input.body || file?.extracted.text || '';
  if (!body.trim()) errors['body'] = '请填写修改后文本，或上传修订后文本文件';
  if (Object.keys(errors).length) throw new ValidationError('修改版本信息有误', errors);
  if (existing.length === 0) {
    await versions.insertVersion(trx, { documentId: id, number: 1, effectiveOn: firstDay, amendedBy: null, body: doc.body, note: null, file: null, userId: actor.userId });
  }
  const number = Math.max(1, existing.length) + 1;
  const kept = file ? await keepFile(storage, trx, file) : null;
  await versions.insertVersion(trx, { documentId: id, number, effectiveOn: input.effective_on, amendedBy: amending.id, body, note: input.note ?? null, file: kept, userId: actor.userId });
  await documents.updateDocument(trx, id, { body });
  await documents.insertRelation(trx, amending.id, id, 'amends');
  const after = { number, effective_on: input.effective_on, amended_by_document_id: amending.id, note: input.note ?? null, body_length: body.length, file: kept };
  await recordChange(trx, actor, 'document.version', id, { after }, [id, amending.id]);
  return { version: number, effective_on: input.effective_on, amended_by: { id: amending.id, doc_number: amending.doc_number, title: amending.title } };
}

/** A version as the API shows it, with the days it was (or will be) the text in force. */
function versionView(all: VersionRecord[], v: VersionRecord, today: IsoDate) {
  const next = supersededBy(all, v);
  const current = versionAsOf(all, today)!.number;
  return {
    version: v.number,
    effective_on: v.effective_on,
    in_force_until: next ? addDays(next.effective_on, -1) : null,
    /** current: the text in force today; superseded: replaced since; upcoming: takes effect later. */
    state: v.number === current ? ('current' as const) : v.number < current ? ('superseded' as const) : ('upcoming' as const),
    amended_by: v.amended_by_document_id === null ? null : { id: v.amended_by_document_id, doc_number: v.amended_by_doc_number, title: v.amended_by_title },
    note: v.note,
    file: v.file_name === null ? null : { name: v.file_name, sha256: v.file_sha256 },
  };
}
export type VersionView = ReturnType<typeof versionView>;

/** The versions the reader may see: the public not those whose amending document is unpublished today. */
async function visibleVersions({ db, clock }: VersionDeps, actor: Actor | null, id: number) {
  const all = await versions.versionsOfDocument(db, id);
  const today = clock.today();
  const staff = can(actor, 'document:read-drafts');
  return all.filter((v) => staff || v.amended_by_published_on === null || v.amended_by_published_on <= today);
}

async function listVersions(deps: VersionDeps, actor: Actor | null, id: number) {
  await deps.documents.get(actor, id); // 404 for what the reader may not see
  const visible = await visibleVersions(deps, actor, id);
  const today = deps.clock.today();
  return { document_id: id, versions: visible.map((v) => versionView(visible, v, today)) };
}

async function readVersion(deps: VersionDeps, actor: Actor | null, id: number, number: number) {
  await deps.documents.get(actor, id); // 404 for what the reader may not see
  const visible = await visibleVersions(deps, actor, id);
  const v = visible.find((x) => x.number === number);
  if (!v) throw new NotFoundError('该版本不存在');
  return { document_id: id, ...versionView(visible, v, deps.clock.today()), body: (await versions.versionBody(deps.db, id, number)) ?? '' };
}

/**
 * Document `id` as the reader sees it on `day`: the API's document answer with the version and body
 * in force that day, the list of versions and, once amended, the latest amendment in force.
 */
async function documentAsOf(deps: VersionDeps, actor: Actor | null, id: number, day?: IsoDate) {
  const doc = await deps.documents.get(actor, id, day);
  const all = await visibleVersions(deps, actor, id);
  const today = deps.clock.today();
  const asOf = versionAsOf(all, day ?? today);
  if (!asOf) return { ...doc, version: 1, versions: [], amendment: null };
  const views = all.map((v) => versionView(all, v, today));
  const amendment = asOf.number > 1 ? { effective_on: asOf.effective_on, amended_by: views[asOf.number - 1]!.amended_by } : null;
  const body = (await versions.versionBody(deps.db, id, asOf.number)) ?? '';
  return { ...doc, body, version: asOf.number, versions: views, amendment };
}

async function compareVersions(deps: VersionDeps, actor: Actor | null, id: number, from: number, to: number) {
  const [a, b] = await Promise.all([readVersion(deps, actor, id, from), readVersion(deps, actor, id, to)]);
  return { document_id: id, from: { ...a, body: undefined }, to: { ...b, body: undefined }, parts: diffChars(a.body, b.body) };
}

/** A document's text versions: adding one after an amendment, listing and reading them, comparing two. */
export function createVersionService(deps: VersionDeps) {
  return {
    add: async (actor: Actor, id: number, input: NewVersionInput, file?: UploadedFile) => {
      assertCanWrite(actor);
      const prepared = file ? await deps.documents.prepareFile(file) : undefined;
      return writeTransaction(deps.db, (trx) => addWithin(deps.storage, trx, actor, id, input, prepared));
    },
    /** add() as one step of a caller's transaction (the bulk import), the file already prepared. */
    addWithin: (trx: Trx, actor: Actor, id: number, input: NewVersionInput, file?: PreparedFile) => addWithin(deps.storage, trx, actor, id, input, file),
    hasVersionOn: (trx: Trx, id: number, day: IsoDate) => versions.hasVersionOn(trx, id, day),
    list: (actor: Actor | null, id: number) => listVersions(deps, actor, id),
    get: (actor: Actor | null, id: number, number: number) => readVersion(deps, actor, id, number),
    documentAsOf: (actor: Actor | null, id: number, day?: IsoDate) => documentAsOf(deps, actor, id, day),
    compare: (actor: Actor | null, id: number, from: number, to: number) => compareVersions(deps, actor, id, from, to),
  };
}

export type VersionService = ReturnType<typeof createVersionService>;
