import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db, Trx } from '../../db/database.js';
import { readCatalogRow, readCorpusRecord, type CatalogField, type CatalogRow, type CorpusRecord, type RowResult } from './catalog-row.js';
import { docNumberKey, parseDocNumber } from '../../shared/doc-number.js';
import { AppError, ConflictError, ForbiddenError, ValidationError } from '../../errors.js';
import { recordAudit } from '../accounts/audit.service.js';
import {
  findImportedKeys,
  insertImportSource,
} from './catalog-import.repository.js';
import { findOrganByName, insertOrgan } from '../catalog/organ.service.js';
import { withSavepoint } from '../../db/transaction.js';
import { can, type Actor } from '../accounts/actor.js';
import type { DocumentService, NewDocumentInput, PreparedFile } from '../catalog/document.service.js';
import { safeFileName, sniffFile } from './file-type.js';
import { findDocumentByNumber, findDocumentByTitle } from '../catalog/document.service.js';

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

/** Thrown to roll a dry run's batch back. */
class DryRunRollback extends Error {}

export interface CatalogImportDeps {
  db: Db;
  documents: DocumentService;
}

/**
 * The bulk import of an existing catalog (CSV/XLSX rows, originals from a folder) or of the shared
 * corpus. Every document goes through the document service's createWithin, so validation, audit
 * and index jobs are the API's. Batches commit one by one and a row already imported is skipped, so
 * a run killed half-way is resumed by running it again, and a second run changes nothing.
 */
export function createCatalogImportService({ db, documents }: CatalogImportDeps) {
  async function readOriginal(filesDir: string, name: string, maxBytes: number) {
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

  return {
    async run(actor: Actor, records: AsyncIterable<ImportRecord>, options: ImportOptions): Promise<ImportProgress> {
      if (!can(actor, 'document:write')) throw new ForbiddenError();
      const batchSize = options.batchSize ?? 200;
      const progress: ImportProgress = { rows: 0, inserted: 0, skipped: 0, failed: 0, notes: 0, organsCreated: 0 };
      // Every organ the run created (or, dry, would create): a dry run's batches each roll theirs back.
      const organsCreated = new Set<string>();
      const defaults = { organ: options.defaultOrgan ?? null };
      // Organs by name, as committed; a batch's new organs join only when it commits.
      const organIds = new Map<string, number>();
      if (defaults.organ && !(await findOrganByName(db, defaults.organ))) {
        throw new ValidationError(`--organ 指定的机关“${defaults.organ}”不存在`);
      }

      const fail = (line: number, label: string, message: string) => {
        progress.failed++;
        options.onError({ line, label, message });
      };

      async function organId(name: string): Promise<number | undefined> {
        const known = organIds.get(name);
        if (known !== undefined) return known;
        const row = await findOrganByName(db, name);
        if (row) organIds.set(name, row.id);
        return row?.id;
      }

      /** The document a row would duplicate: by import source, 文号, or title and publication day. */
      async function existing(p: Pending, organ: number | undefined) {
        if (organ === undefined) return undefined;
        const parsed = p.row.doc_number ? parseDocNumber(p.row.doc_number) : null;
        return parsed
          ? findDocumentByNumber(db, organ, p.row.kind, docNumberKey(parsed))
          : findDocumentByTitle(db, organ, p.row.kind, p.row.title, p.row.published_on);
      }

      async function processBatch(batch: Pending[]) {
        const imported = await findImportedKeys(
          db,
          CORPUS_SOURCE,
          batch.flatMap((p) => (p.corpusId ? [p.corpusId] : [])),
        );
        const toInsert: Insert[] = [];
        const toRepeal: { p: Pending; documentId: number }[] = [];
        const keysInBatch = new Map<string, Pending>();
        for (const p of batch) {
          if (p.corpusId && imported.has(p.corpusId)) {
            progress.skipped++;
            continue;
          }
          const lead = p.row.organ ? await organId(p.row.organ) : undefined;
          if (lead === undefined && !p.corpusId) {
            fail(p.line, p.label, `发文机关“${p.row.organ}”不存在，请先在机关管理中添加`);
            continue;
          }
          const found = p.corpusId ? undefined : await existing(p, lead);
          if (found && found.title !== p.row.title) {
            fail(p.line, p.label, `文号已被文件 #${found.id}《${found.title}》使用`);
            continue;
          }
          if (found) {
            progress.skipped++;
            // Killed between a row's insert and its repeal cannot happen (one savepoint), but a
            // row whose 废止日期 was added to the catalog since the last run gets it now.
            if (p.row.repealed_on && !found.repealed_on) toRepeal.push({ p, documentId: found.id });
            continue;
          }
          const key = p.corpusId ?? `${lead}|${p.row.kind}|${p.row.doc_number ?? `${p.row.title}|${p.row.published_on}`}`;
          const twin = keysInBatch.get(key);
          if (twin && twin.row.title !== p.row.title) {
            fail(p.line, p.label, `文号与第 ${twin.line} 行《${twin.row.title}》重复`);
            continue;
          }
          if (twin) {
            progress.skipped++;
            continue;
          }
          keysInBatch.set(key, p);
          toInsert.push({ p });
        }
        // Originals are parsed before the transaction, on the extractor pool's cores.
        await Promise.all(
          toInsert.map(async (item) => {
            if (!item.p.row.file) return;
            try {
              if (!options.filesDir) throw new ValidationError('目录中有“文件名”列，但没有用 --files 指定原件所在的目录');
              item.file = await readOriginal(options.filesDir, item.p.row.file, options.maxFileBytes);
            } catch (error) {
              if (!(error instanceof AppError)) throw error;
              item.fileError = error;
            }
          }),
        );

        const created = new Map<string, number>();
        let inserted = 0;
        const failures: RowError[] = [];
        const notes: RowError[] = [];
        try {
          await db.transaction().execute(async (trx) => {
            const organFor = async (name: string) => created.get(name) ?? (await organId(name)) ?? (await createOrgan(trx, name));
            async function createOrgan(t: Trx, name: string) {
              if (!can(actor, 'organ:write')) throw new ForbiddenError(`机关“${name}”不存在，当前账号无权新建机关`);
              const row = await insertOrgan(t, { name, short_name: null, parent_id: null, doc_prefixes: [] });
              await recordAudit(t, {
                userId: actor.userId,
                ip: actor.ip,
                action: 'organ.create',
                entity: 'organ',
                entityId: row.id,
                after: { id: row.id, name, source: 'import' },
              });
              created.set(name, row.id);
              return row.id;
            }
            for (const item of toInsert) {
              const { p } = item;
              if (item.fileError) {
                failures.push({ line: p.line, label: p.label, message: item.fileError.message });
                continue;
              }
              const insertRow = (docNumber: string | null) =>
                withSavepoint(trx, async () => {
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
              const createdBefore = new Map(created);
              try {
                try {
                  await insertRow(p.row.doc_number);
                } catch (error) {
                  // The corpus's 文号 is the first one in a header, for an amended text often the
                  // amending order's, shared by every law it amended: kept as reference, unnumbered.
                  if (!(p.corpusId && error instanceof ConflictError && error.fields?.['doc_number'])) throw error;
                  await insertRow(null);
                  notes.push({ line: p.line, label: p.label, message: `已导入，但未记录文号“${p.row.doc_number}”：${describe(error)}` });
                }
                inserted++;
              } catch (error) {
                if (!(error instanceof AppError)) throw error;
                // The savepoint took back the organs this row created.
                for (const name of created.keys()) if (!createdBefore.has(name)) created.delete(name);
                failures.push({ line: p.line, label: p.label, message: describe(error) });
              }
            }
            for (const { p, documentId } of toRepeal) {
              try {
                await withSavepoint(trx, () => documents.repealWithin(trx, actor, documentId, { repealed_on: p.row.repealed_on! }));
              } catch (error) {
                if (!(error instanceof AppError)) throw error;
                failures.push({ line: p.line, label: p.label, message: `已导入，但废止失败：${describe(error)}` });
              }
            }
            if (options.dryRun) throw new DryRunRollback();
          });
        } catch (error) {
          if (!(error instanceof DryRunRollback)) throw error;
        }
        // Counted only now: a batch that failed as a whole reports nothing as done.
        progress.inserted += inserted;
        for (const name of created.keys()) organsCreated.add(name);
        progress.organsCreated = organsCreated.size;
        for (const f of failures) fail(f.line, f.label, f.message);
        for (const n of notes) {
          progress.notes++;
          options.onError(n);
        }
        if (!options.dryRun) for (const [name, id] of created) organIds.set(name, id);
      }

      let batch: Pending[] = [];
      let withFiles = 0;
      for await (const record of records) {
        progress.rows++;
        if ('unreadable' in record) {
          fail(record.line, '', record.unreadable);
          continue;
        }
        const corpusId = 'corpus' in record ? String(record.corpus.id ?? '') : null;
        const result: RowResult =
          'corpus' in record ? readCorpusRecord(record.corpus, defaults) : readCatalogRow(record.cells, defaults);
        const title = 'corpus' in record ? record.corpus.title : record.cells.title;
        const label = [corpusId, title].filter(Boolean).join(' ');
        if (!result.ok) {
          fail(record.line, label, result.errors.join('；'));
          continue;
        }
        if (corpusId === '') {
          fail(record.line, label, '语料记录缺少 id');
          continue;
        }
        batch.push({ line: record.line, label, row: result.row, corpusId });
        if (result.row.file) withFiles++;
        // Originals are held in memory until their batch commits: fewer of them per batch.
        if (batch.length >= batchSize || withFiles >= Math.max(1, Math.floor(batchSize / 10))) {
          await processBatch(batch);
          options.onProgress?.({ ...progress });
          batch = [];
          withFiles = 0;
        }
      }
      if (batch.length) await processBatch(batch);
      options.onProgress?.({ ...progress });
      return progress;
    },
  };
}

/** An error as one line of the report: the message and what each field says. */
function describe(error: AppError): string {
  const fields = Object.entries(error.fields ?? {})
    .filter(([, message]) => message !== error.message)
    .map(([field, message]) => `${field}：${message}`);
  return fields.length ? `${error.message}（${fields.join('；')}）` : error.message;
}

export type CatalogImportService = ReturnType<typeof createCatalogImportService>;
