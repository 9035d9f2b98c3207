import { createHash } from 'node:crypto';
import type { Db, Trx } from '../../db/database.js';
import type { DocumentUpdate } from '../../db/tables.js';
import type { IsoDate } from '../../shared/dates.js';
import { docNumberKey, formatDocNumber, parseDocNumber } from '../../shared/doc-number.js';
import {
  STATUS_LABELS,
  documentStatusAsOf,
  type DocumentKind,
  type DocumentStatus,
} from '../../shared/document-status.js';
import { minDate, yearOf } from '../../shared/dates.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import * as documents from './document.repository.js';
import { recordAudit } from '../accounts/audit.service.js';
import { queueIndexing } from '../search/index-jobs.service.js';
import { interpretationsOfDocument } from './interpretation.repository.js';
import { findOrgansByIds } from './organ.repository.js';
import { findTopicsByNames } from './topic.repository.js';
import type { Storage } from '../../platform/storage.js';
import { can, type Actor } from '../accounts/actor.js';
import type { Clock } from '../../platform/clock.js';
import { translateDbError } from '../../db/db-errors.js';
import type { ExtractedText, ExtractionService } from '../intake/extraction.service.js';
import { safeFileName, sniffFile, type FileKind, type TextEncoding } from '../intake/file-type.js';
import { documentHeading } from './document-view.js';

// Document lookups other features make inside their own transactions (the bulk import's duplicate
// checks, the expiry review's row lock): through the catalog's service, never its repository.
export { findDocumentByNumber, findDocumentByTitle, lockDocument } from './document.repository.js';

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
export type RepealInput = { repealed_on: IsoDate; by_document_id?: number | undefined; reason?: string | undefined };

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

const CONSTRAINT_MESSAGES = {
  documents_doc_number_unique: { field: 'doc_number', message: '该机关已有同类文件使用此文号' },
  documents_index_number_key: { field: 'index_number', message: '索引号已被其他文件使用' },
  documents_organ_id_fkey: { field: 'organ_id', message: '发文机关不存在' },
};

export interface DocumentServiceDeps {
  db: Db;
  storage: Storage;
  clock: Clock;
  extraction: ExtractionService;
}

type Summary = documents.DocumentSummaryRecord;

export function createDocumentService({ db, storage, clock, extraction }: DocumentServiceDeps) {
  function toView(row: Summary, asOf: IsoDate, extras: { topics: string[]; coIssuers: { id: number; name: string }[] }) {
    const status = documentStatusAsOf(row, asOf);
    const { organ_name: _organName, ...heading } = documentHeading(row);
    return {
      ...heading,
      index_number: row.index_number,
      organ: { id: row.organ_id, name: row.organ_name },
      co_issuers: extras.coIssuers,
      signed_on: row.signed_on,
      published_on: row.published_on,
      effective_on: row.effective_on ?? row.published_on,
      expires_on: row.expires_on,
      repealed_on: row.repealed_on,
      repeal: row.repealed_on
        ? { repealed_on: row.repealed_on, by_document_id: row.repealed_by_document_id, reason: row.repeal_reason }
        : null,
      status,
      status_label: STATUS_LABELS[status],
      as_of: asOf,
      topics: extras.topics,
      created_at: row.created_at,
      updated_at: row.updated_at,
    };
  }
  type DocumentView = ReturnType<typeof toView>;

  async function decorate(rows: Summary[], asOf: IsoDate): Promise<DocumentView[]> {
    const ids = rows.map((r) => r.id);
    const [topics, coIssuers] = await Promise.all([
      documents.topicsOfDocuments(db, ids),
      documents.coIssuersOfDocuments(db, ids),
    ]);
    return rows.map((row) =>
      toView(row, asOf, { topics: topics.get(row.id) ?? [], coIssuers: coIssuers.get(row.id) ?? [] }),
    );
  }

  /** Cross-field and cross-table checks zod cannot make; every problem is reported at once. */
  async function validate(trx: Trx, fields: DocumentFields, repealedOn: IsoDate | null) {
    const errors: Record<string, string> = {};
    let parsed: ReturnType<typeof parseDocNumber> = null;
    if (fields.doc_number !== null) {
      parsed = parseDocNumber(fields.doc_number);
      if (!parsed) errors['doc_number'] = '无法识别的文号，应形如“示政发〔2023〕5号”或“示例市人民政府令第3号”';
      else if (parsed.year !== null && fields.signed_on && parsed.year !== yearOf(fields.signed_on)) {
        errors['doc_number'] = `文号年份（${parsed.year}）与成文日期年份（${yearOf(fields.signed_on)}）不一致`;
      }
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
    if (Object.keys(errors).length) throw new ValidationError('提交的文件信息有误', errors);

    if (parsed) {
      const key = docNumberKey(parsed);
      const clash = await documents.findDocumentByNumber(trx, fields.organ_id, fields.kind, key);
      return { parsed, key, clash: clash?.id, topicIds: topics.map((t) => t.id) };
    }
    return { parsed, key: null, clash: undefined, topicIds: topics.map((t) => t.id) };
  }

  function columnsOf(fields: DocumentFields, parsed: ReturnType<typeof parseDocNumber>, key: string | null) {
    return {
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
  function auditSnapshot(fields: DocumentFields) {
    const { body, ...rest } = fields;
    return { ...rest, body_length: body.length, body_sha256: createHash('sha256').update(body).digest('hex') };
  }

  async function storeFile(trx: Trx, documentId: number, file: UploadedFile, role: 'main' | 'attachment', textLayer: boolean) {
    const stored = await storage.put(file.bytes);
    await documents.insertStoredFile(trx, { sha256: stored.sha256, size: stored.size, type: file.type });
    await documents.insertDocumentFile(trx, {
      documentId,
      sha256: stored.sha256,
      name: file.name,
      role,
      textLayer,
    });
    return stored;
  }

  /** Validates and inserts one new document in `trx`; with no body given, the file's text is the body. */
  async function insertNew(trx: Trx, actor: Actor, input: NewDocumentInput, file?: PreparedFile) {
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
    const { parsed, key, clash, topicIds } = await validate(trx, fields, null);
    if (clash !== undefined) {
      throw new ConflictError('该机关已有同类文件使用此文号', { doc_number: `文号已被文件 #${clash} 使用` });
    }
    const id = await documents.insertDocument(trx, { ...columnsOf(fields, parsed, key), created_by: actor.userId });
    await documents.replaceDocumentTopics(trx, id, topicIds);
    await documents.replaceCoIssuers(trx, id, fields.co_organ_ids);
    if (file) await storeFile(trx, id, file.upload, 'main', file.extracted.textLayer);
    await recordAudit(trx, {
      userId: actor.userId,
      ip: actor.ip,
      action: 'document.create',
      entity: 'document',
      entityId: id,
      after: auditSnapshot(fields),
    });
    await queueIndexing(trx, 'document', [id]);
    return id;
  }

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

  /** The public never sees what is not published today; staff see drafts too. */
  function assertVisible<T extends documents.DocumentSummaryRecord>(row: T | undefined, staff: boolean): asserts row is T {
    if (!row || (!staff && documentStatusAsOf(row, clock.today()) === 'draft')) throw new NotFoundError('文件不存在');
  }

  async function inTransaction<T>(work: (trx: Trx) => Promise<T>): Promise<T> {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      throw translateDbError(error, CONSTRAINT_MESSAGES);
    }
  }

  function assertCan(actor: Actor | null, action: 'document:write') {
    if (!can(actor, action)) throw new ForbiddenError();
  }

  return {
    async create(actor: Actor, input: NewDocumentInput, file?: UploadedFile) {
      assertCan(actor, 'document:write');
      // Before the transaction: parsing takes up to seconds and holds no lock.
      const prepared = file ? await this.prepareFile(file) : undefined;
      const id = await inTransaction((trx) => insertNew(trx, actor, input, prepared));
      return this.get(actor, id);
    },

    /**
     * Keeps an upload between the suggestion step and the registration form that follows it, in the
     * staging area, which forgets what nobody registered within a day (STAGED_UPLOAD_TTL_MS).
     */
    async stageFile(actor: Actor, file: UploadedFile): Promise<{ sha256: string; name: string }> {
      assertCan(actor, 'document:write');
      const { sha256 } = await storage.staging.put(file.bytes);
      return { sha256, name: file.name };
    },

    /** Forgets staged uploads older than STAGED_UPLOAD_TTL_MS; returns how many. */
    sweepStagedUploads: () => storage.staging.removeOlderThan(STAGED_UPLOAD_TTL_MS),

    /** A staged upload, typed again from its bytes: the form's hidden fields are not trusted. */
    async stagedFile(actor: Actor, sha256: string, name: string): Promise<UploadedFile> {
      assertCan(actor, 'document:write');
      const bytes = await storage.staging.read(sha256);
      if (!bytes) throw new ValidationError('上传的原件已失效，请重新选择文件', { file: '原件已失效' });
      const sniffed = await sniffFile(bytes);
      return { name: safeFileName(name, sniffed.extension), kind: sniffed.kind, type: sniffed.mime, encoding: sniffed.encoding, bytes };
    },

    /** Extracts an upload's text (a 422 when the file cannot be read); do it outside any transaction. */
    async prepareFile(file: UploadedFile): Promise<PreparedFile> {
      return { upload: file, extracted: await extraction.extract(file) };
    },

    /**
     * create() as one step of a caller's transaction (the bulk import's batch), validated and audited
     * the same way; returns the new id. A database error arrives translated, the transaction aborted:
     * the caller rolls back to its savepoint.
     */
    async createWithin(trx: Trx, actor: Actor, input: NewDocumentInput, file?: PreparedFile): Promise<number> {
      assertCan(actor, 'document:write');
      try {
        return await insertNew(trx, actor, input, file);
      } catch (error) {
        throw translateDbError(error, CONSTRAINT_MESSAGES);
      }
    },

    async update(actor: Actor, id: number, patch: DocumentPatch) {
      await inTransaction((trx) => this.updateWithin(trx, actor, id, patch));
      return this.get(actor, id);
    },

    /** update() as one step of a caller's transaction, so a use case changing more commits all or nothing. */
    async updateWithin(trx: Trx, actor: Actor, id: number, patch: DocumentPatch) {
      assertCan(actor, 'document:write');
      if (!(await documents.lockDocument(trx, id))) throw new NotFoundError('文件不存在');
      const { fields: before, repealedOn } = await loadFields(trx, id);
      const after: DocumentFields = { ...before, ...patch };
      const { parsed, key, clash, topicIds } = await validate(trx, after, repealedOn);
      if (clash !== undefined && clash !== id) {
        throw new ConflictError('该机关已有同类文件使用此文号', { doc_number: `文号已被文件 #${clash} 使用` });
      }
      await documents.updateDocument(trx, id, columnsOf(after, parsed, key));
      if (patch.topics) await documents.replaceDocumentTopics(trx, id, topicIds);
      if (patch.co_organ_ids) await documents.replaceCoIssuers(trx, id, after.co_organ_ids);
      await recordAudit(trx, {
        userId: actor.userId,
        ip: actor.ip,
        action: 'document.update',
        entity: 'document',
        entityId: id,
        before: auditSnapshot(before),
        after: auditSnapshot(after),
      });
      await queueIndexing(trx, 'document', [id]);
    },

    async repeal(actor: Actor, id: number, input: RepealInput) {
      await inTransaction((trx) => this.repealWithin(trx, actor, id, input));
      return this.get(actor, id);
    },

    /** repeal() as one step of a caller's transaction. */
    async repealWithin(trx: Trx, actor: Actor, id: number, input: RepealInput) {
      assertCan(actor, 'document:write');
      if (!(await documents.lockDocument(trx, id))) throw new NotFoundError('文件不存在');
      const doc = await documents.findDocumentSummary(trx, id);
      if (!doc) throw new NotFoundError('文件不存在');
      if (doc.repealed_on) throw new ConflictError(`该文件已于 ${doc.repealed_on} 废止`);
      const errors: Record<string, string> = {};
      if (!doc.published_on) errors['repealed_on'] = '未发布的文件不能废止';
      else if (input.repealed_on < doc.published_on) errors['repealed_on'] = `废止日期不能早于发布日期（${doc.published_on}）`;
      if (input.by_document_id !== undefined) {
        const by = await documents.findDocumentSummary(trx, input.by_document_id);
        if (input.by_document_id === id) errors['by_document_id'] = '文件不能废止自身';
        else if (!by) errors['by_document_id'] = '废止依据文件不存在';
        else if (!by.published_on) errors['by_document_id'] = '废止依据文件尚未发布';
        else if (by.published_on > input.repealed_on) errors['by_document_id'] = '废止依据文件的发布日期晚于废止日期';
      }
      if (Object.keys(errors).length) throw new ValidationError('废止信息有误', errors);
      await documents.insertRepeal(trx, {
        documentId: id,
        repealedOn: input.repealed_on,
        byDocumentId: input.by_document_id ?? null,
        reason: input.reason ?? null,
        userId: actor.userId,
      });
      if (input.by_document_id !== undefined) await documents.insertRelation(trx, input.by_document_id, id, 'repeals');
      await recordAudit(trx, {
        userId: actor.userId,
        ip: actor.ip,
        action: 'document.repeal',
        entity: 'document',
        entityId: id,
        after: input,
      });
      await queueIndexing(trx, 'document', input.by_document_id === undefined ? [id] : [id, input.by_document_id]);
    },

    /** Records that document `id` amends `targetId`; the amended document stays in force. */
    async addAmendment(actor: Actor, id: number, targetId: number) {
      assertCan(actor, 'document:write');
      await inTransaction(async (trx) => {
        if (id === targetId) throw new ValidationError('文件不能修改自身', { target_id: '文件不能修改自身' });
        const found = await documents.findDocumentSummaries(trx, [id, targetId]);
        if (!found.some((d) => d.id === id)) throw new NotFoundError('文件不存在');
        if (!found.some((d) => d.id === targetId)) {
          throw new ValidationError('被修改的文件不存在', { target_id: '被修改的文件不存在' });
        }
        await documents.insertRelation(trx, id, targetId, 'amends');
        await recordAudit(trx, {
          userId: actor.userId,
          ip: actor.ip,
          action: 'document.relate',
          entity: 'document',
          entityId: id,
          after: { relation: 'amends', target_id: targetId },
        });
        await queueIndexing(trx, 'document', [id, targetId]);
      });
      return this.get(actor, id);
    },

    async attachFile(actor: Actor, id: number, file: UploadedFile, role: 'main' | 'attachment') {
      assertCan(actor, 'document:write');
      if (!(await documents.findDocumentSummary(db, id))) throw new NotFoundError('文件不存在');
      const extracted = await extraction.extract(file);
      await inTransaction(async (trx) => {
        if (!(await documents.lockDocument(trx, id))) throw new NotFoundError('文件不存在');
        if (role === 'main') await documents.deleteMainFile(trx, id);
        const stored = await storeFile(trx, id, file, role, extracted.textLayer);
        // A document registered before its original arrived gets its body from the original.
        const bodyFromFile = role === 'main' && extracted.textLayer && (await documents.fillEmptyBody(trx, id, extracted.text));
        await recordAudit(trx, {
          userId: actor.userId,
          ip: actor.ip,
          action: 'document.attach',
          entity: 'document',
          entityId: id,
          after: { name: file.name, role, sha256: stored.sha256, size: stored.size, text_layer: extracted.textLayer, body_from_file: bodyFromFile },
        });
        await queueIndexing(trx, 'document', [id]);
      });
      return this.get(actor, id);
    },

    /** One document with everything its page shows; the public never sees what is not yet published. */
    async get(actor: Actor | null, id: number, asOf: IsoDate = clock.today()) {
      const row = await documents.findDocumentById(db, id);
      const staff = can(actor, 'document:read-drafts');
      assertVisible(row, staff);
      const [[view], interpretations, relations, files] = await Promise.all([
        decorate([row], asOf),
        interpretationsOfDocument(db, id),
        documents.relationsOfDocument(db, id),
        documents.filesOfDocument(db, id),
      ]);
      const today = clock.today();
      const others = await documents.findDocumentSummaries(db, relations.map((r) => r.other_id));
      const visible = (r: Summary) => staff || documentStatusAsOf(r, today) !== 'draft';
      return {
        ...view!,
        body: row.body,
        interpretations: interpretations.filter((i) => staff || i.published_on <= today),
        relations: relations.flatMap((r) => {
          const other = others.find((o) => o.id === r.other_id);
          if (!other || !visible(other)) return [];
          return [
            {
              relation: r.relation,
              direction: r.direction,
              document: { id: other.id, title: other.title, doc_number: other.doc_number },
            },
          ];
        }),
        files: files.map((f) => ({
          id: f.id,
          name: f.name,
          type: f.type,
          size: Number(f.size),
          sha256: f.sha256,
          role: f.role,
          text_layer: f.text_layer,
        })),
      };
    },

    async list(
      actor: Actor | null,
      query: {
        kind?: DocumentKind[] | undefined;
        status?: DocumentStatus[] | undefined;
        organ_id?: number[] | undefined;
        as_of?: IsoDate | undefined;
        page: number;
        page_size: number;
      },
    ) {
      const staff = can(actor, 'document:read-drafts');
      const asOf = query.as_of ?? clock.today();
      if (!staff && query.status?.includes('draft')) throw new ForbiddenError('草稿仅对工作人员可见');
      const { total, rows } = await documents.listDocuments(db, {
        asOf,
        kinds: query.kind,
        statuses: query.status,
        organIds: query.organ_id,
        // Neither a past nor a future as_of may reveal what is unpublished today.
        publishedBy: staff ? null : minDate(asOf, clock.today()),
        offset: (query.page - 1) * query.page_size,
        limit: query.page_size,
      });
      return { total, page: query.page, page_size: query.page_size, items: await decorate(rows, asOf) };
    },

    async openFile(actor: Actor | null, id: number, fileId?: number) {
      // Downloads are a hot path: check visibility on the summary row, not the whole document page.
      const row = await documents.findDocumentSummary(db, id);
      assertVisible(row, can(actor, 'document:read-drafts'));
      const file = await documents.findDocumentFile(db, id, fileId);
      if (!file) throw new NotFoundError('该文件没有原件');
      return { name: file.name, type: file.type, size: Number(file.size), stream: await storage.open(file.sha256) };
    },
  };
}

export type DocumentService = ReturnType<typeof createDocumentService>;
