import type { Db, Trx } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import { documentStatusAsOf } from '../../shared/document-status.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { recordAudit } from '../accounts/audit.service.js';
import { findDocumentSummaries } from './document.repository.js';
import { queueIndexing } from '../search/index-jobs.service.js';
import * as interpretations from './interpretation.repository.js';
import { can, type Actor } from '../accounts/actor.js';
import type { Clock } from '../../platform/clock.js';
import { STATUS_LABELS } from '../../shared/document-status.js';

export interface InterpretationInput {
  title: string;
  body: string;
  published_on: IsoDate;
  document_ids: number[];
}

export function createInterpretationService({ db, clock }: { db: Db; clock: Clock }) {
  async function checkDocuments(trx: Trx, ids: number[]) {
    const unique = [...new Set(ids)];
    const found = await findDocumentSummaries(trx, unique);
    const missing = unique.filter((id) => !found.some((d) => d.id === id));
    if (missing.length) {
      throw new ValidationError('关联的文件不存在', { document_ids: `文件不存在：${missing.join('、')}` });
    }
    return unique;
  }

  function assertCan(actor: Actor | null) {
    if (!can(actor, 'interpretation:write')) throw new ForbiddenError();
  }

  /** One change of an interpretation and its links, in one transaction under the row lock. */
  async function changeWithin(
    actor: Actor,
    id: number,
    fields: Partial<Omit<InterpretationInput, 'document_ids'>>,
    relink: ((current: number[]) => number[]) | undefined,
  ) {
    assertCan(actor);
    await db.transaction().execute(async (trx) => {
      const before = await interpretations.lockInterpretation(trx, id);
      if (!before) throw new NotFoundError('政策解读不存在');
      const beforeIds = await interpretations.documentIdsOfInterpretation(trx, id);
      await interpretations.updateInterpretation(trx, id, fields);
      let afterIds = beforeIds;
      if (relink) {
        afterIds = await checkDocuments(trx, relink(beforeIds));
        await interpretations.replaceInterpretationLinks(trx, id, afterIds);
      }
      await recordAudit(trx, {
        userId: actor.userId,
        ip: actor.ip,
        action: 'interpretation.update',
        entity: 'interpretation',
        entityId: id,
        before: { title: before.title, published_on: before.published_on, document_ids: beforeIds },
        after: { ...fields, document_ids: afterIds, body: undefined },
      });
      await queueIndexing(trx, 'interpretation', [id]);
      await queueIndexing(trx, 'document', [...new Set([...beforeIds, ...afterIds])]);
    });
    return service.get(actor, id);
  }

  const service = {
    async create(actor: Actor, input: InterpretationInput) {
      assertCan(actor);
      const id = await db.transaction().execute(async (trx) => {
        const documentIds = await checkDocuments(trx, input.document_ids);
        const id = await interpretations.insertInterpretation(trx, {
          title: input.title,
          body: input.body,
          published_on: input.published_on,
          created_by: actor.userId,
        });
        await interpretations.replaceInterpretationLinks(trx, id, documentIds);
        await recordAudit(trx, {
          userId: actor.userId,
          ip: actor.ip,
          action: 'interpretation.create',
          entity: 'interpretation',
          entityId: id,
          after: { title: input.title, published_on: input.published_on, document_ids: documentIds, body_length: input.body.length },
        });
        await queueIndexing(trx, 'interpretation', [id]);
        // Documents show the titles of their interpretations in the index.
        await queueIndexing(trx, 'document', documentIds);
        return id;
      });
      return this.get(actor, id);
    },

    async update(actor: Actor, id: number, patch: Partial<InterpretationInput>) {
      const { document_ids, ...fields } = patch;
      return changeWithin(actor, id, fields, document_ids ? () => document_ids : undefined);
    },

    /** Links one more document, reading the current links under the row lock so no concurrent link is lost. */
    link(actor: Actor, id: number, documentId: number) {
      return changeWithin(actor, id, {}, (current) => [...current, documentId]);
    },

    /** Unlinks one document; the last link cannot go, since an interpretation must interpret something. */
    unlink(actor: Actor, id: number, documentId: number) {
      return changeWithin(actor, id, {}, (current) => {
        const rest = current.filter((d) => d !== documentId);
        if (rest.length === 0) {
          throw new ValidationError('政策解读至少应关联一个文件，不能取消关联', { document_ids: '至少应关联一个文件' });
        }
        return rest;
      });
    },

    async get(actor: Actor | null, id: number) {
      const staff = can(actor, 'document:read-drafts');
      const today = clock.today();
      const row = await interpretations.findInterpretationById(db, id);
      if (!row || (!staff && row.published_on > today)) throw new NotFoundError('政策解读不存在');
      const documents = await findDocumentSummaries(db, await interpretations.documentIdsOfInterpretation(db, id));
      return {
        id: row.id,
        title: row.title,
        body: row.body,
        published_on: row.published_on,
        documents: documents.flatMap((d) => {
          const status = documentStatusAsOf(d, today);
          if (!staff && status === 'draft') return [];
          return [{ id: d.id, title: d.title, doc_number: d.doc_number, status, status_label: STATUS_LABELS[status] }];
        }),
        created_at: row.created_at,
        updated_at: row.updated_at,
      };
    },

    async list(actor: Actor | null, query: { page: number; page_size: number }) {
      const staff = can(actor, 'document:read-drafts');
      const { total, rows } = await interpretations.listInterpretations(db, {
        publishedBy: staff ? null : clock.today(),
        offset: (query.page - 1) * query.page_size,
        limit: query.page_size,
      });
      return { total, page: query.page, page_size: query.page_size, items: rows };
    },
  };
  return service;
}

export type InterpretationService = ReturnType<typeof createInterpretationService>;
