import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db, Trx } from '../../db/database.js';
import { readCatalogRow, readCorpusRecord, type CatalogField, type CatalogRow, type CorpusRecord, type RowResult } from './catalog-row.js';
import { docNumberKey, parseDocNumber } from '../../shared/doc-number.js';
import { AppError, ConflictError, ForbiddenError, ValidationError } from '../../errors.js';
import {
  findImportedKeys,
  insertImportSource,
} from './catalog-import.repository.js';
import { createOrganWithin, findOrganByName } from '../catalog/organ.service.js';
import { withSavepoint } from '../../db/transaction.js';
import { can, type Actor } from '../accounts/actor.js';
import type { DocumentService, NewDocumentInput, PreparedFile } from '../catalog/document.service.js';
import { safeFileName, sniffFile } from './file-type.js';
import { findDocumentsByNumber, findDocumentByTitle } from '../catalog/document.service.js';
import type { VersionService } from '../catalog/document-versions.service.js';

/** The corpus records' source in import_sources; its key is the record's id. */
const CORPUS_SOURCE = 'corpus';

export type ImportRecord =
  | { line: number; cells: Partial<Record<CatalogField, string>> }
  | { line: number; corpus: CorpusRecord }
  /** A line the reader could not parse (not JSON). */
  | { line: number; unreadable: string };

export interface RowError {
  /** Line of the input file (the header is line 1 of a catalog). */
  line: number;
  /** What identifies the row to a person: its title, or the corpus id. */
  label: string;
  message: string;
}

export interface ImportProgress {
  rows: number;
  inserted: number;
  skipped: number;
  failed: number;
  /** Rows imported with a change the report explains (a corpus 文号 left out). */
  notes: number;
  organsCreated: number;
  /** Version rows: later texts added to documents after their amendments. */
  versions: number;
}

export interface ImportOptions {
  /** Everything is checked and written in transactions that are then rolled back. */
  dryRun?: boolean;
  /** Where the 文件名 column's originals are. */
  filesDir?: string | null;
  /** The organ of rows that name none. */
  defaultOrgan?: string | null;
  /** Rows per transaction; rows with files go in batches of at most a tenth of this. */
  batchSize?: number;
  maxFileBytes: number;
  /** Each row not imported, and each imported with a note; the report of the run. */
  onError: (error: RowError) => void;
  onProgress?: (progress: ImportProgress) => void;
}

interface Pending {
  line: number;
  label: string;
  row: CatalogRow;
  corpusId: string | null;
}

interface Insert {
  p: Pending;
  file?: PreparedFile;
  fileError?: AppError;
}

/** A batch's rows that passed the checks: to insert, or already stored and now repealed. */
interface BatchPlan {
  toInsert: Insert[];
  toRepeal: { p: Pending; documentId: number }[];
  /** Version rows, added after the batch's documents (the document may be a row before them). */
  toVersion: Insert[];
}

/** What a batch's transaction did; the run counts it only once the transaction is over. */
interface BatchOutcome {
  /** Organs the batch created, by name. */
  created: Map<string, number>;
  inserted: number;
  versions: number;
  failures: RowError[];
  notes: RowError[];
}

/** Thrown to roll a dry run's batch back. */
class DryRunRollback extends Error {}

export interface CatalogImportDeps {
  db: Db;
  documents: DocumentService;
  versions: Pick<VersionService, 'addWithin' | 'hasVersionOn'>;
}

/** One run's state, shared by its batches. */
interface ImportRun extends CatalogImportDeps {
  actor: Actor;
  options: ImportOptions;
  progress: ImportProgress;
  /** Every organ the run created (or, dry, would create): a dry run's batches each roll theirs back. */
  organsCreated: Set<string>;
  /** Organs by name, as committed; a batch's new organs join only when it commits. */
  organIds: Map<string, number>;
}

/**
 * The bulk import of an existing catalog (CSV/XLSX rows, originals from a folder) or of the shared
 * corpus. Every document goes through the document service's createWithin, so validation, audit
 * and index jobs are the API's. Batches commit one by one and a row already imported is skipped, so
 * a run killed half-way is resumed by running it again, and a second run changes nothing.
 */
export function createCatalogImportService(deps: CatalogImportDeps) {
  return {
    run: (actor: Actor, records: AsyncIterable<ImportRecord>, options: ImportOptions) => runCatalogImport(deps, actor, records, options),
  };
}

async function runCatalogImport(
  deps: CatalogImportDeps,
  actor: Actor,
  records: AsyncIterable<ImportRecord>,
  options: ImportOptions,
): Promise<ImportProgress> {
  if (!can(actor, 'document:write')) throw new ForbiddenError();
  const batchSize = options.batchSize ?? 200;
  const run: ImportRun = {
    ...deps,
    actor,
    options,
    progress: { rows: 0, inserted: 0, skipped: 0, failed: 0, notes: 0, organsCreated: 0, versions: 0 },
    organsCreated: new Set(),
    organIds: new Map(),
  };
  const defaults = { organ: options.defaultOrgan ?? null };
  if (defaults.organ && !(await findOrganByName(deps.db, defaults.organ))) {
    throw new ValidationError(`--organ 指定的机关“${defaults.organ}”不存在`);
  }

  let batch: Pending[] = [];
  let withFiles = 0;
  for await (const record of records) {
    run.progress.rows++;
    const pending = readPending(run, record, defaults);
    if (!pending) continue;
    batch.push(pending);
    if (pending.row.file) withFiles++;
    // Originals are held in memory until their batch commits: fewer of them per batch.
    if (batch.length >= batchSize || withFiles >= Math.max(1, Math.floor(batchSize / 10))) {
      await importBatch(run, batch);
      options.onProgress?.({ ...run.progress });
      batch = [];
      withFiles = 0;
    }
  }
  if (batch.length) await importBatch(run, batch);
  options.onProgress?.({ ...run.progress });
  return run.progress;
}

function fail(run: ImportRun, line: number, label: string, message: string) {
  run.progress.failed++;
  run.options.onError({ line, label, message });
}

/** A record as a row to import, or undefined once its failure is reported. */
function readPending(run: ImportRun, record: ImportRecord, defaults: { organ: string | null }): Pending | undefined {
  if ('unreadable' in record) {
    fail(run, record.line, '', record.unreadable);
    return undefined;
  }
  const corpusId = 'corpus' in record ? String(record.corpus.id ?? '') : null;
  const result: RowResult = 'corpus' in record ? readCorpusRecord(record.corpus, defaults) : readCatalogRow(record.cells, defaults);
  const title = 'corpus' in record ? record.corpus.title : record.cells.title;
  const label = [corpusId, title].filter(Boolean).join(' ');
  if (!result.ok) {
    fail(run, record.line, label, result.errors.join('；'));
    return undefined;
  }
  if (corpusId === '') {
    fail(run, record.line, label, '语料记录缺少 id');
    return undefined;
  }
  return { line: record.line, label, row: result.row, corpusId };
}

/**
 * The batch step: sorts the rows out, reads their originals, then writes them in one transaction
 * (each row in a savepoint of its own) and counts what the transaction did.
 */
async function importBatch(run: ImportRun, batch: Pending[]) {
  const plan = await planBatch(run, batch);
  await readOriginals(run, [...plan.toInsert, ...plan.toVersion]);
  const outcome: BatchOutcome = { created: new Map(), inserted: 0, versions: 0, failures: [], notes: [] };
  try {
    await run.db.transaction().execute((trx) => writeBatch(run, trx, plan, outcome));
  } catch (error) {
    if (!(error instanceof DryRunRollback)) throw error;
  }
  countBatch(run, outcome);
}

/** Skips rows already stored (or twice in the batch) and reports the rows that cannot be imported. */
async function planBatch(run: ImportRun, batch: Pending[]): Promise<BatchPlan> {
  const { progress } = run;
  const imported = await findImportedKeys(
    run.db,
    CORPUS_SOURCE,
    batch.flatMap((p) => (p.corpusId ? [p.corpusId] : [])),
  );
  const plan: BatchPlan = { toInsert: [], toRepeal: [], toVersion: [] };
  const keysInBatch = new Map<string, Pending>();
  for (const p of batch) {
    if (p.corpusId && imported.has(p.corpusId)) {
      progress.skipped++;
      continue;
    }
    const lead = p.row.organ ? await organId(run, p.row.organ) : undefined;
    if (lead === undefined && !p.corpusId) {
      fail(run, p.line, p.label, `发文机关“${p.row.organ}”不存在，请先在机关管理中添加`);
      continue;
    }
    if (p.row.version) {
      plan.toVersion.push({ p });
      continue;
    }
    const found = p.corpusId ? undefined : await existing(run.db, p, lead);
    if (found) {
      progress.skipped++;
      // Killed between a row's insert and its repeal cannot happen (one savepoint), but a
      // row whose 废止日期 was added to the catalog since the last run gets it now.
      if (p.row.repealed_on && !found.repealed_on) plan.toRepeal.push({ p, documentId: found.id });
      continue;
    }
    // Rows sharing a 文号 under different titles are different documents (one 令号 may publish
    // several texts): they are imported, the document service warns of the shared 文号.
    const key = p.corpusId ?? `${lead}|${p.row.kind}|${p.row.title}|${p.row.doc_number ?? p.row.published_on}`;
    const twin = keysInBatch.get(key);
    if (twin) {
      progress.skipped++;
      continue;
    }
    keysInBatch.set(key, p);
    plan.toInsert.push({ p });
  }
  return plan;
}

async function organId(run: ImportRun, name: string): Promise<number | undefined> {
  const known = run.organIds.get(name);
  if (known !== undefined) return known;
  const row = await findOrganByName(run.db, name);
  if (row) run.organIds.set(name, row.id);
  return row?.id;
}

/**
 * The document a row would duplicate: by import source, 文号 and title (one 令号 may name several
 * amended texts), or title and publication day.
 */
async function existing(db: Db | Trx, p: Pending, organ: number | undefined) {
  if (organ === undefined) return undefined;
  const parsed = p.row.doc_number ? parseDocNumber(p.row.doc_number) : null;
  if (!parsed) return findDocumentByTitle(db, organ, p.row.kind, p.row.title, p.row.published_on);
  return (await findDocumentsByNumber(db, organ, p.row.kind, docNumberKey(parsed))).find((d) => d.title === p.row.title);
}

/** Originals are parsed before the transaction, on the extractor pool's cores. */
async function readOriginals({ documents, options }: ImportRun, toInsert: Insert[]) {
  await Promise.all(
    toInsert.map(async (item) => {
      if (!item.p.row.file) return;
      try {
        if (!options.filesDir) throw new ValidationError('目录中有“文件名”列，但没有用 --files 指定原件所在的目录');
        item.file = await readOriginal(documents, options.filesDir, item.p.row.file, options.maxFileBytes);
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        item.fileError = error;
      }
    }),
  );
}

async function readOriginal(documents: DocumentService, filesDir: string, name: string, maxBytes: number) {
  const root = await realpath(filesDir);
  const resolved = path.resolve(root, name);
  // A 文件名 cell may not reach outside the folder given with --files.
  if (!resolved.startsWith(root + path.sep)) throw new ValidationError(`原件“${name}”不在 --files 指定的目录内`);
  const info = await stat(resolved).catch(() => undefined);
  if (!info?.isFile()) throw new ValidationError(`找不到原件“${name}”`);
  if (info.size > maxBytes) throw new ValidationError(`原件“${name}”超过大小上限 ${Math.round(maxBytes / 1048576)} MB`);
  const bytes = await readFile(resolved);
  const sniffed = await sniffFile(bytes);
  return documents.prepareFile({
    name: safeFileName(path.basename(name), sniffed.extension),
    kind: sniffed.kind,
    type: sniffed.mime,
    encoding: sniffed.encoding,
    bytes,
  });
}

/** The batch's transaction: its rows, then the repeals of rows stored before; a dry run rolls back. */
async function writeBatch(run: ImportRun, trx: Trx, plan: BatchPlan, outcome: BatchOutcome) {
  for (const item of plan.toInsert) await insertItem(run, trx, item, outcome);
  for (const { p, documentId } of plan.toRepeal) {
    try {
      await withSavepoint(trx, () => run.documents.repealWithin(trx, run.actor, documentId, { repealed_on: p.row.repealed_on! }));
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      outcome.failures.push({ line: p.line, label: p.label, message: `已导入，但废止失败：${describe(error)}` });
    }
  }
  for (const item of plan.toVersion) await addVersion(run, trx, item, outcome);
  if (run.options.dryRun) throw new DryRunRollback();
}

async function insertItem(run: ImportRun, trx: Trx, item: Insert, outcome: BatchOutcome) {
  const { p } = item;
  if (item.fileError) {
    outcome.failures.push({ line: p.line, label: p.label, message: item.fileError.message });
    return;
  }
  const createdBefore = new Map(outcome.created);
  try {
    try {
      await insertRow(run, trx, item, outcome.created, p.row.doc_number);
    } catch (error) {
      // The corpus's 文号 is the first one in a header, for an amended text often the
      // amending order's, shared by every law it amended: kept as reference, unnumbered.
      if (!(p.corpusId && error instanceof ConflictError && error.fields?.['doc_number'])) throw error;
      await insertRow(run, trx, item, outcome.created, null);
      outcome.notes.push({ line: p.line, label: p.label, message: `已导入，但未记录文号“${p.row.doc_number}”：${describe(error)}` });
    }
    outcome.inserted++;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // The savepoint took back the organs this row created.
    for (const name of outcome.created.keys()) if (!createdBefore.has(name)) outcome.created.delete(name);
    outcome.failures.push({ line: p.line, label: p.label, message: describe(error) });
  }
}

/** A row's document, its import source and its repeal, in one savepoint. */
function insertRow(run: ImportRun, trx: Trx, item: Insert, created: Map<string, number>, docNumber: string | null) {
  const { documents, actor, options } = run;
  const { p } = item;
  const organFor = (name: string) => organForRow(run, trx, created, name);
  return withSavepoint(trx, async () => {
    const input: NewDocumentInput = {
      kind: p.row.kind,
      title: p.row.title,
      organ_id: await organFor(p.row.organ!),
      co_organ_ids: await Promise.all(p.row.co_organs.map(organFor)),
      doc_number: docNumber,
      index_number: p.row.index_number,
      signed_on: p.row.signed_on,
      published_on: p.row.published_on,
      effective_on: p.row.effective_on,
      expires_on: p.row.expires_on,
      topics: p.row.topics,
    };
    if (p.row.body) input.body = p.row.body;
    // A dry run writes no blob to storage: the original's text stands in for it.
    else if (options.dryRun && item.file) input.body = item.file.extracted.text;
    const id = await documents.createWithin(trx, actor, input, options.dryRun ? undefined : item.file);
    if (p.corpusId) await insertImportSource(trx, { source: CORPUS_SOURCE, key: p.corpusId, documentId: id });
    if (p.row.repealed_on) await documents.repealWithin(trx, actor, id, { repealed_on: p.row.repealed_on });
  });
}

/** An organ by name: one the batch created, one committed, or a new one. */
async function organForRow(run: ImportRun, trx: Trx, created: Map<string, number>, name: string) {
  return created.get(name) ?? (await organId(run, name)) ?? (await createOrgan(run, trx, created, name));
}

async function createOrgan({ actor }: ImportRun, trx: Trx, created: Map<string, number>, name: string) {
  if (!can(actor, 'organ:write')) throw new ForbiddenError(`机关“${name}”不存在，当前账号无权新建机关`);
  const row = await createOrganWithin(trx, actor, { name, short_name: null, parent_id: null, doc_prefixes: [] }, 'import');
  created.set(name, row.id);
  return row.id;
}

/** A version row: the later text of the document it names, unless a version of that day is there already. */
async function addVersion(run: ImportRun, trx: Trx, item: Insert, outcome: BatchOutcome) {
  const { p } = item;
  const version = p.row.version!;
  try {
    if (item.fileError) throw item.fileError;
    const added = await withSavepoint(trx, async () => {
      const found = await existing(trx, p, await organId(run, p.row.organ!));
      if (!found) throw new ValidationError('被修改的文件未登记（应在此行之前导入）');
      if (await run.versions.hasVersionOn(trx, found.id, version.effective_on)) return false;
      const body = p.row.body ?? item.file?.extracted.text;
      const input = { amended_by_doc_number: version.amended_by, effective_on: version.effective_on, body: body ?? undefined };
      await run.versions.addWithin(trx, run.actor, found.id, input, run.options.dryRun ? undefined : item.file);
      return true;
    });
    if (added) outcome.versions++;
    else run.progress.skipped++;
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    outcome.failures.push({ line: p.line, label: p.label, message: `修改版本未导入：${describe(error)}` });
  }
}

/** Counted only now: a batch that failed as a whole reports nothing as done. */
function countBatch(run: ImportRun, outcome: BatchOutcome) {
  const { progress, options } = run;
  progress.inserted += outcome.inserted;
  progress.versions += outcome.versions;
  for (const name of outcome.created.keys()) run.organsCreated.add(name);
  progress.organsCreated = run.organsCreated.size;
  for (const f of outcome.failures) fail(run, f.line, f.label, f.message);
  for (const n of outcome.notes) {
    progress.notes++;
    options.onError(n);
  }
  if (!options.dryRun) for (const [name, id] of outcome.created) run.organIds.set(name, id);
}

/** An error as one line of the report: the message and what each field says. */
function describe(error: AppError): string {
  const fields = Object.entries(error.fields ?? {})
    .filter(([, message]) => message !== error.message)
    .map(([field, message]) => `${field}：${message}`);
  return fields.length ? `${error.message}（${fields.join('；')}）` : error.message;
}

export type CatalogImportService = ReturnType<typeof createCatalogImportService>;
