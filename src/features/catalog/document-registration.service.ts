import type { Trx } from '../../db/database.js';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { Storage } from '../../platform/storage.js';
import type { Actor } from '../accounts/actor.js';
import type { ExtractedText } from '../intake/extraction.service.js';
import { safeFileName, sniffFile, type FileKind, type TextEncoding } from '../intake/file-type.js';
import * as documents from './document.repository.js';
import {
  assertCanWrite,
  auditSnapshot,
  checkFields,
  recordChange,
  translateWriteError,
  writeTransaction,
  type DocumentFields,
  type DocumentServiceDeps,
  type NewDocumentInput,
} from './document-fields.service.js';
import type { DocumentReading } from './document-reading.service.js';

export interface UploadedFile {
  /** Safe to store and to send in Content-Disposition (see safeFileName). */
  name: string;
  /** What the bytes are, sniffed (services/file-type.ts), never taken from the name. */
  kind: FileKind;
  /** Content-Type to serve it with. */
  type: string;
  encoding?: TextEncoding | undefined;
  bytes: Buffer;
}

/** An upload whose text has been extracted (prepareFile), ready to be stored with a document. */
export interface PreparedFile {
  upload: UploadedFile;
  extracted: ExtractedText;
}

/** How long an upload waits in the staging area for the registration form that goes with it. */
export const STAGED_UPLOAD_TTL_MS = 24 * 3600_000;

type FileRole = 'main' | 'attachment';

async function storeFile(storage: Storage, trx: Trx, documentId: number, file: UploadedFile, role: FileRole, extracted: ExtractedText) {
  const stored = await storage.put(file.bytes);
  await documents.insertStoredFile(trx, { sha256: stored.sha256, size: stored.size, type: file.type });
  await documents.insertDocumentFile(trx, {
    documentId,
    sha256: stored.sha256,
    name: file.name,
    role,
    textLayer: extracted.textLayer,
    ocr: extracted.ocr,
  });
  return stored;
}

/** Validates and inserts one new document in `trx`; with no body given, the file's text is the body. */
async function insertNew({ storage, clock }: DocumentServiceDeps, trx: Trx, actor: Actor, input: NewDocumentInput, file?: PreparedFile) {
  const fields: DocumentFields = {
    doc_number: null,
    index_number: null,
    co_organ_ids: [],
    signed_on: null,
    published_on: null,
    effective_on: null,
    expires_on: null,
    topics: [],
    body: '',
    ...input,
  };
  if (!fields.body && file) fields.body = file.extracted.text;
  // Public from today is publishing now; an earlier day records a past publication (a catalog's).
  const today = clock.today();
  const { columns, topicIds } = await checkFields(trx, fields, { today, repealedOn: null, publishing: fields.published_on === today });
  const id = await documents.insertDocument(trx, { ...columns, created_by: actor.userId });
  await documents.replaceDocumentTopics(trx, id, topicIds);
  await documents.replaceCoIssuers(trx, id, fields.co_organ_ids);
  if (file) await storeFile(storage, trx, id, file.upload, 'main', file.extracted);
  await recordChange(trx, actor, 'document.create', id, { after: auditSnapshot(fields) });
  return id;
}

/** Extracts an upload's text (a 422 when the file cannot be read); do it outside any transaction. */
async function prepareFile({ extraction }: DocumentServiceDeps, file: UploadedFile): Promise<PreparedFile> {
  return { upload: file, extracted: await extraction.extract(file) };
}

async function createDocument(deps: DocumentServiceDeps, actor: Actor, input: NewDocumentInput, file?: UploadedFile) {
  assertCanWrite(actor);
  // Before the transaction: parsing takes up to seconds and holds no lock.
  const prepared = file ? await prepareFile(deps, file) : undefined;
  return writeTransaction(deps.db, (trx) => insertNew(deps, trx, actor, input, prepared));
}

/**
 * create() as one step of a caller's transaction (the bulk import's batch), validated and audited
 * the same way; returns the new id. A database error arrives translated, the transaction aborted:
 * the caller rolls back to its savepoint.
 */
async function createWithin(deps: DocumentServiceDeps, trx: Trx, actor: Actor, input: NewDocumentInput, file?: PreparedFile) {
  assertCanWrite(actor);
  try {
    return await insertNew(deps, trx, actor, input, file);
  } catch (error) {
    throw translateWriteError(error);
  }
}

/**
 * Keeps an upload between the suggestion step and the registration form that follows it, in the
 * staging area, which forgets what nobody registered within a day (STAGED_UPLOAD_TTL_MS).
 */
async function stageFile({ storage }: DocumentServiceDeps, actor: Actor, file: UploadedFile) {
  assertCanWrite(actor);
  const { sha256 } = await storage.staging.put(file.bytes);
  return { sha256, name: file.name };
}

/** A staged upload, typed again from its bytes: the form's hidden fields are not trusted. */
async function stagedFile({ storage }: DocumentServiceDeps, actor: Actor, sha256: string, name: string): Promise<UploadedFile> {
  assertCanWrite(actor);
  const bytes = await storage.staging.read(sha256);
  if (!bytes) throw new ValidationError('上传的原件已失效，请重新选择文件', { file: '原件已失效' });
  const sniffed = await sniffFile(bytes);
  return { name: safeFileName(name, sniffed.extension), kind: sniffed.kind, type: sniffed.mime, encoding: sniffed.encoding, bytes };
}

async function attachFile({ db, storage, extraction }: DocumentServiceDeps, actor: Actor, id: number, file: UploadedFile, role: FileRole) {
  assertCanWrite(actor);
  if (!(await documents.findDocumentSummary(db, id))) throw new NotFoundError('文件不存在');
  const extracted = await extraction.extract(file);
  await writeTransaction(db, async (trx) => {
    if (!(await documents.lockDocument(trx, id))) throw new NotFoundError('文件不存在');
    if (role === 'main') await documents.deleteMainFile(trx, id);
    const stored = await storeFile(storage, trx, id, file, role, extracted);
    // A document registered before its original arrived gets its body from the original (OCR text
    // included: a draft's body is checked by staff before it is published).
    const bodyFromFile = role === 'main' && extracted.text !== '' && (await documents.fillEmptyBody(trx, id, extracted.text));
    await recordChange(trx, actor, 'document.attach', id, {
      after: { name: file.name, role, sha256: stored.sha256, size: stored.size, text_layer: extracted.textLayer, ocr: extracted.ocr, body_from_file: bodyFromFile },
    });
  });
}

/** Registering documents: a new one (with its original, or staged for the form), files attached later. */
export function createDocumentRegistration(deps: DocumentServiceDeps, { get }: Pick<DocumentReading, 'get'>) {
  return {
    create: async (actor: Actor, input: NewDocumentInput, file?: UploadedFile) => get(actor, await createDocument(deps, actor, input, file)),
    stageFile: (actor: Actor, file: UploadedFile): Promise<{ sha256: string; name: string }> => stageFile(deps, actor, file),
    /** Forgets staged uploads older than STAGED_UPLOAD_TTL_MS; returns how many. */
    sweepStagedUploads: () => deps.storage.staging.removeOlderThan(STAGED_UPLOAD_TTL_MS),
    stagedFile: (actor: Actor, sha256: string, name: string) => stagedFile(deps, actor, sha256, name),
    prepareFile: (file: UploadedFile) => prepareFile(deps, file),
    createWithin: (trx: Trx, actor: Actor, input: NewDocumentInput, file?: PreparedFile): Promise<number> =>
      createWithin(deps, trx, actor, input, file),
    attachFile: async (actor: Actor, id: number, file: UploadedFile, role: FileRole) => {
      await attachFile(deps, actor, id, file, role);
      return get(actor, id);
    },
  };
}
