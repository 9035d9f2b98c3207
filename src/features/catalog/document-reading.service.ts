import type { Db } from '../../db/database.js';
import { minDate, type IsoDate } from '../../shared/dates.js';
import { STATUS_LABELS, documentStatusAsOf, type DocumentKind, type DocumentStatus } from '../../shared/document-status.js';
import { ForbiddenError, NotFoundError } from '../../errors.js';
import { docNumberKey, foldFullWidth, parseDocNumber } from '../../shared/doc-number.js';
import type { Clock } from '../../platform/clock.js';
import { can, type Actor } from '../accounts/actor.js';
import * as documents from './document.repository.js';
import { interpretationsOfDocument } from './interpretation.repository.js';
import { documentHeading } from './document-view.js';
import { downloadName, fileSummary } from './document-download.js';
import type { DocumentServiceDeps } from './document-fields.service.js';

type Summary = documents.DocumentSummaryRecord;

type DocumentReadingDeps = Pick<DocumentServiceDeps, 'db' | 'storage' | 'clock'>;

export interface ListDocumentsQuery {
  /** A keyword of the title or a 文号, in any spelling. */
  q?: string | undefined;
  kind?: DocumentKind[] | undefined;
  status?: DocumentStatus[] | undefined;
  organ_id?: number[] | undefined;
  as_of?: IsoDate | undefined;
  page: number;
  page_size: number;
}

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
    warnings: row.warnings,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}
type DocumentView = ReturnType<typeof toView>;

async function decorate(db: Db, rows: Summary[], asOf: IsoDate): Promise<DocumentView[]> {
  const ids = rows.map((r) => r.id);
  const [topics, coIssuers] = await Promise.all([documents.topicsOfDocuments(db, ids), documents.coIssuersOfDocuments(db, ids)]);
  return rows.map((row) => toView(row, asOf, { topics: topics.get(row.id) ?? [], coIssuers: coIssuers.get(row.id) ?? [] }));
}

/** The public never sees what is not published today; staff see drafts too. */
function assertVisible<T extends Summary>(clock: Clock, row: T | undefined, staff: boolean): asserts row is T {
  if (!row || (!staff && documentStatusAsOf(row, clock.today()) === 'draft')) throw new NotFoundError('文件不存在');
}

/** The documents `id` is related to (amends, repeals, and back), those the reader may see. */
async function visibleRelations(db: Db, id: number, staff: boolean, today: IsoDate) {
  const relations = await documents.relationsOfDocument(db, id);
  const others = await documents.findDocumentSummaries(db, relations.map((r) => r.other_id));
  const visible = (r: Summary) => staff || documentStatusAsOf(r, today) !== 'draft';
  return relations.flatMap((r) => {
    const other = others.find((o) => o.id === r.other_id);
    if (!other || !visible(other)) return [];
    return [
      {
        relation: r.relation,
        direction: r.direction,
        document: { id: other.id, title: other.title, doc_number: other.doc_number },
      },
    ];
  });
}

/** One document with everything its page shows; the public never sees what is not yet published. */
async function getDocument({ db, clock }: DocumentReadingDeps, actor: Actor | null, id: number, asOf: IsoDate = clock.today()) {
  const row = await documents.findDocumentById(db, id);
  const staff = can(actor, 'document:read-drafts');
  assertVisible(clock, row, staff);
  const today = clock.today();
  const [[view], interpretations, relations, files] = await Promise.all([
    decorate(db, [row], asOf),
    interpretationsOfDocument(db, id),
    visibleRelations(db, id, staff, today),
    documents.filesOfDocument(db, id),
  ]);
  return {
    ...view!,
    body: row.body,
    interpretations: interpretations.filter((i) => staff || i.published_on <= today),
    relations,
    files: files.map((f) => ({
      id: f.id,
      name: f.name,
      download_name: f.role === 'main' ? downloadName(view!.title, f.name) : f.name,
      summary: fileSummary(f.type, Number(f.size)),
      type: f.type,
      size: Number(f.size),
      sha256: f.sha256,
      role: f.role,
      text_layer: f.text_layer,
      ocr: f.ocr,
    })),
  };
}

async function listDocuments({ db, clock }: DocumentReadingDeps, actor: Actor | null, query: ListDocumentsQuery) {
  const staff = can(actor, 'document:read-drafts');
  const asOf = query.as_of ?? clock.today();
  if (!staff && query.status?.includes('draft')) throw new ForbiddenError('草稿仅对工作人员可见');
  const { total, rows } = await documents.listDocuments(db, {
    asOf,
    text: query.q ? textFilter(query.q) : undefined,
    kinds: query.kind,
    statuses: query.status,
    organIds: query.organ_id,
    // Neither a past nor a future as_of may reveal what is unpublished today.
    publishedBy: staff ? null : minDate(asOf, clock.today()),
    offset: (query.page - 1) * query.page_size,
    limit: query.page_size,
  });
  return { total, page: query.page, page_size: query.page_size, items: await decorate(db, rows, asOf) };
}

/** What a person typed, as a search of titles and 文号 (the key matches any spelling of a 文号). */
function textFilter(q: string) {
  const parsed = parseDocNumber(foldFullWidth(q.trim()));
  return { q: q.trim(), docNumberKey: parsed ? docNumberKey(parsed) : null };
}

/** The picker's answer: up to ten documents whose title or 文号 matches what staff typed. */
async function lookupDocuments({ db, clock }: DocumentReadingDeps, actor: Actor | null, q: string) {
  if (!can(actor, 'document:read-drafts')) throw new ForbiddenError();
  const text = textFilter(q);
  if (text.q === '') return [];
  const rows = await documents.findDocumentsMatching(db, text.q, text.docNumberKey, 10);
  const today = clock.today();
  return rows.map((row) => {
    const status = documentStatusAsOf(row, today);
    return { id: row.id, title: row.title, doc_number: row.doc_number, organ_name: row.organ_name, published_on: row.published_on, status_label: STATUS_LABELS[status] };
  });
}

async function openFile({ db, clock, storage }: DocumentReadingDeps, actor: Actor | null, id: number, fileId?: number) {
  // Downloads are a hot path: check visibility on the summary row, not the whole document page.
  const row = await documents.findDocumentSummary(db, id);
  assertVisible(clock, row, can(actor, 'document:read-drafts'));
  const file = await documents.findDocumentFile(db, id, fileId);
  if (!file) throw new NotFoundError('该文件没有原件');
  // The original is named after the document; an attachment keeps its own name.
  const name = file.role === 'main' ? downloadName(row.title, file.name) : file.name;
  return { name, type: file.type, size: Number(file.size), stream: await storage.open(file.sha256) };
}

/** Reading the catalog: one document, a filtered page of them, a stored original. */
export function createDocumentReading(deps: DocumentReadingDeps) {
  return {
    get: (actor: Actor | null, id: number, asOf?: IsoDate) => getDocument(deps, actor, id, asOf),
    list: (actor: Actor | null, query: ListDocumentsQuery) => listDocuments(deps, actor, query),
    openFile: (actor: Actor | null, id: number, fileId?: number) => openFile(deps, actor, id, fileId),
    lookup: (actor: Actor | null, q: string) => lookupDocuments(deps, actor, q),
  };
}

export type DocumentReading = ReturnType<typeof createDocumentReading>;
