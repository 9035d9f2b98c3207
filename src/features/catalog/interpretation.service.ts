import type { Db, Trx } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import { STATUS_LABELS, documentStatusAsOf } from '../../shared/document-status.js';
import { ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { recordAudit } from '../accounts/audit.service.js';
import { findDocumentSummaries } from './document.repository.js';
import { queueIndexing } from '../search/index-jobs.service.js';
import * as interpretations from './interpretation.repository.js';
import { can, type Actor } from '../accounts/actor.js';
import type { Clock } from '../../platform/clock.js';

/** How many interpretations were published in a year for the documents of these organs (the annual report's draft). */
export { countInterpretationsPublishedIn } from './interpretation.repository.js';

export interface InterpretationInput {
  title: string;
  body: string;
  published_on: IsoDate;
  document_ids: number[];
}

interface Deps {
  db: Db;
  clock: Clock;
}

type Relink = (current: number[]) => number[];

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

/**
 * The audit row and index jobs of a change to interpretation `id`; documents show the titles of
 * their interpretations in the index, so the linked documents are indexed again too.
 */
async function recordInterpretationChange(
  trx: Trx,
  actor: Actor,
  action: string,
  id: number,
  change: { before?: unknown; after: unknown },
  documentIds: number[],
) {
  await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action, entity: 'interpretation', entityId: id, ...change });
  await queueIndexing(trx, 'interpretation', [id]);
  await queueIndexing(trx, 'document', documentIds);
}

async function insertInterpretation(trx: Trx, actor: Actor, input: InterpretationInput) {
  const documentIds = await checkDocuments(trx, input.document_ids);
  const id = await interpretations.insertInterpretation(trx, {
    title: input.title,
    body: input.body,
    published_on: input.published_on,
    created_by: actor.userId,
  });
  await interpretations.replaceInterpretationLinks(trx, id, documentIds);
  const after = { title: input.title, published_on: input.published_on, document_ids: documentIds, body_length: input.body.length };
  await recordInterpretationChange(trx, actor, 'interpretation.create', id, { after }, documentIds);
  return id;
}

/** One change of an interpretation and its links, under the row lock of the caller's transaction. */
async function changeInterpretation(
  trx: Trx,
  actor: Actor,
  id: number,
  fields: Partial<Omit<InterpretationInput, 'document_ids'>>,
  relink: Relink | undefined,
) {
  const before = await interpretations.lockInterpretation(trx, id);
  if (!before) throw new NotFoundError('政策解读不存在');
  const beforeIds = await interpretations.documentIdsOfInterpretation(trx, id);
  await interpretations.updateInterpretation(trx, id, fields);
  let afterIds = beforeIds;
  if (relink) {
    afterIds = await checkDocuments(trx, relink(beforeIds));
    await interpretations.replaceInterpretationLinks(trx, id, afterIds);
  }
  const change = {
    before: { title: before.title, published_on: before.published_on, document_ids: beforeIds },
    after: { ...fields, document_ids: afterIds, body: undefined },
  };
  await recordInterpretationChange(trx, actor, 'interpretation.update', id, change, [...new Set([...beforeIds, ...afterIds])]);
}

async function getInterpretation({ db, clock }: Deps, actor: Actor | null, id: number) {
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
}

async function listInterpretations({ db, clock }: Deps, actor: Actor | null, query: { page: number; page_size: number }) {
  const staff = can(actor, 'document:read-drafts');
  const { total, rows } = await interpretations.listInterpretations(db, {
    publishedBy: staff ? null : clock.today(),
    offset: (query.page - 1) * query.page_size,
    limit: query.page_size,
  });
  return { total, page: query.page, page_size: query.page_size, items: rows };
}

/** Unlinking keeps one document at least, since an interpretation must interpret something. */
const unlinking =
  (documentId: number): Relink =>
  (current) => {
    const rest = current.filter((d) => d !== documentId);
    if (rest.length === 0) {
      throw new ValidationError('政策解读至少应关联一个文件，不能取消关联', { document_ids: '至少应关联一个文件' });
    }
    return rest;
  };

export function createInterpretationService(deps: Deps) {
  const get = (actor: Actor | null, id: number) => getInterpretation(deps, actor, id);

  async function change(actor: Actor, id: number, fields: Partial<Omit<InterpretationInput, 'document_ids'>>, relink?: Relink) {
    assertCan(actor);
    await deps.db.transaction().execute((trx) => changeInterpretation(trx, actor, id, fields, relink));
    return get(actor, id);
  }

  return {
    async create(actor: Actor, input: InterpretationInput) {
      assertCan(actor);
      const id = await deps.db.transaction().execute((trx) => insertInterpretation(trx, actor, input));
      return get(actor, id);
    },

    update(actor: Actor, id: number, patch: Partial<InterpretationInput>) {
      const { document_ids, ...fields } = patch;
      return change(actor, id, fields, document_ids ? () => document_ids : undefined);
    },

    /** Links one more document, reading the current links under the row lock so no concurrent link is lost. */
    link: (actor: Actor, id: number, documentId: number) => change(actor, id, {}, (current) => [...current, documentId]),

    unlink: (actor: Actor, id: number, documentId: number) => change(actor, id, {}, unlinking(documentId)),

    get,

    list: (actor: Actor | null, query: { page: number; page_size: number }) => listInterpretations(deps, actor, query),
  };
}

export type InterpretationService = ReturnType<typeof createInterpretationService>;
