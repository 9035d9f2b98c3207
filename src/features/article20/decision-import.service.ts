import type { Db, Trx } from '../../db/database.js';
import { DECISION_KIND_LABELS, fenToYuan } from './article20.js';
import {
  DECISION_COLUMNS,
  FEE_COLUMNS,
  isBlankRow,
  mapColumns,
  normalizeName,
  parseDecisionRow,
  parseFeeRow,
  type ColumnMap,
  type ColumnSpec,
  type ParsedDecision,
  type ParsedFee,
  type RowParser,
} from './article20-import.js';
import type { IsoDate } from '../../shared/dates.js';
import { recordImport } from '../accounts/audit.service.js';
import * as decisions from './decision.repository.js';
import * as fees from './fee.repository.js';
import { listOrgans } from '../catalog/organ.service.js';
import type { Actor } from '../accounts/actor.js';
import { translateDbError } from '../../db/db-errors.js';
import { readTable, type TableFormat, type TableRow, type TextEncoding } from '../../platform/table-reader.js';
import {
  assertCanRecord,
  createDecision,
  createFee,
  type Article20Deps,
  type NewDecisionInput,
  type NewFeeInput,
} from './article20-entry.service.js';

export interface UploadedTable {
  name: string;
  bytes: Buffer;
}

export interface ImportRowError {
  row: number;
  message: string;
}

/** DESIGN.md's answer `{inserted, duplicates, errors}`, with what the uploader also wants to know. */
export interface ImportResult<P> {
  inserted: number;
  duplicates: number;
  errors: ImportRowError[];
  /** Data rows read (blank rows skipped). */
  rows: number;
  format: TableFormat;
  dry_run: boolean;
  /** On a dry run, the first rows as they would be stored. */
  preview?: P[];
}

/** An import of one ledger file (decisions or fees). */
export type TableImport = (actor: Actor, file: UploadedTable, options: { dryRun: boolean }) => Promise<ImportResult<unknown>>;

/** Rows staged per statement: large enough to amortize the round trip, small enough to stay flat in memory. */
const BATCH = 5_000;
const PREVIEW = 20;

interface ImportSpec<K extends string, P extends { organ: string }, V> {
  entity: 'decision' | 'fee';
  columns: Record<K, ColumnSpec>;
  parse: RowParser<K, P>;
  values: (parsed: P, organId: number) => V;
  preview: (values: V, parsed: P) => unknown;
  createStaging: (trx: Trx) => Promise<void>;
  stage: (trx: Trx, rows: (V & { row: number })[]) => Promise<void>;
  merge: (trx: Trx, userId: number | null) => Promise<number>;
}

const DECISION_IMPORT: ImportSpec<keyof typeof DECISION_COLUMNS, ParsedDecision, decisions.DecisionValues> = {
  entity: 'decision',
  columns: DECISION_COLUMNS,
  parse: parseDecisionRow,
  values: (p, organId) => ({
    kind: p.kind,
    organ_id: organId,
    decision_number: p.decision_number,
    decision_number_key: p.decision_number_key,
    decided_on: p.decided_on,
  }),
  preview: (v, p) => ({ kind: v.kind, kind_label: DECISION_KIND_LABELS[v.kind], decision_number: v.decision_number, decided_on: v.decided_on, organ: { id: v.organ_id, name: p.organ } }),
  createStaging: decisions.createDecisionStaging,
  stage: decisions.stageDecisions,
  merge: decisions.mergeStagedDecisions,
};

const FEE_IMPORT: ImportSpec<keyof typeof FEE_COLUMNS, ParsedFee, fees.FeeValues> = {
  entity: 'fee',
  columns: FEE_COLUMNS,
  parse: parseFeeRow,
  values: (p, organId) => ({
    organ_id: organId,
    item: p.item,
    amount_fen: p.amount_fen,
    collected_on: p.collected_on,
    receipt_number: p.receipt_number,
  }),
  preview: (v, p) => ({
    item: v.item,
    amount_fen: Number(v.amount_fen),
    amount_yuan: fenToYuan(v.amount_fen),
    collected_on: v.collected_on,
    receipt_number: v.receipt_number,
    organ: { id: v.organ_id, name: p.organ },
  }),
  createStaging: fees.createFeeStaging,
  stage: fees.stageFees,
  merge: fees.mergeStagedFees,
};

/** Decisions and fees, imported from ledger files or typed in one at a time. */
export function createImportService(deps: Article20Deps) {
  const importWith =
    <K extends string, P extends { organ: string }, V>(spec: ImportSpec<K, P, V>): TableImport =>
    (actor, file, options) =>
      runImport(deps, spec, actor, file, options);
  return {
    importDecisions: importWith(DECISION_IMPORT),
    importFees: importWith(FEE_IMPORT),
    createDecision: (actor: Actor, input: NewDecisionInput) => createDecision(deps, actor, input),
    createFee: (actor: Actor, input: NewFeeInput) => createFee(deps, actor, input),
  };
}

export type ImportService = ReturnType<typeof createImportService>;

/**
 * Reads the file row by row, staging valid rows in batches inside one transaction; any bad row
 * stops the staging but not the reading, so that every bad row is reported, and nothing is kept.
 * A dry run goes all the way (the counts are real) and then rolls back.
 */
async function runImport<K extends string, P extends { organ: string }, V>(
  { db, clock }: Article20Deps,
  spec: ImportSpec<K, P, V>,
  actor: Actor,
  file: UploadedTable,
  options: { dryRun: boolean },
): Promise<ImportResult<unknown>> {
  assertCanRecord(actor);
  const { format, encoding, rows } = readTable(file.bytes);
  const today = clock.today();
  const trx = await db.startTransaction().execute();
  try {
    await spec.createStaging(trx);
    const staged = await stageRows(trx, spec, { encoding, rows }, today, options.dryRun);
    const base = { rows: staged.count, format, dry_run: options.dryRun };
    if (staged.errors.length) {
      await trx.rollback().execute();
      return { ...base, inserted: 0, duplicates: 0, errors: staged.errors };
    }
    const inserted = await spec.merge(trx, actor.userId);
    const result = { ...base, inserted, duplicates: staged.count - inserted, errors: [] };
    await recordImport(trx, actor, spec.entity, file, { format, rows: staged.count, inserted, duplicates: result.duplicates });
    if (options.dryRun) {
      await trx.rollback().execute();
      return { ...result, preview: staged.preview };
    }
    await trx.commit().execute();
    return result;
  } catch (error) {
    await trx.rollback().execute().catch(() => undefined);
    throw translateDbError(error);
  }
}

/** What reading a file found: its data rows, the bad ones, and the preview of a dry run. */
interface StagedRows {
  count: number;
  errors: ImportRowError[];
  preview: unknown[];
}

/** Maps the header, then checks every data row and stages the valid ones while none has failed. */
async function stageRows<K extends string, P extends { organ: string }, V>(
  trx: Trx,
  spec: ImportSpec<K, P, V>,
  table: { encoding: TextEncoding | null; rows: AsyncIterable<TableRow> },
  today: IsoDate,
  dryRun: boolean,
): Promise<StagedRows> {
  const organId = await organLookup(trx);
  const staged: StagedRows = { count: 0, errors: [], preview: [] };
  const { errors, preview } = staged;
  let columns: ColumnMap<K> | undefined;
  let batch: (V & { row: number })[] = [];
  for await (const row of table.rows) {
    if (isBlankRow(row.cells)) continue;
    if (columns === undefined) {
      const mapped = mapColumns(row.cells, spec.columns);
      if ('error' in mapped) {
        // A UTF-8 file with one broken byte is read as GBK, and its header no longer matches.
        const hint = table.encoding === 'gb18030' ? '（文件按 GBK 编码读取；如果它是 UTF-8 文件，其中有损坏的字节）' : '';
        errors.push({ row: row.number, message: mapped.error + hint });
        break;
      }
      columns = mapped.columns;
      continue;
    }
    staged.count++;
    const checked = checkRow(spec, row, columns, today, organId);
    if (!checked.ok) {
      errors.push({ row: row.number, message: checked.message });
      continue;
    }
    if (errors.length) continue;
    const values = spec.values(checked.parsed, checked.organId);
    if (dryRun && preview.length < PREVIEW) preview.push(spec.preview(values, checked.parsed));
    batch.push({ ...values, row: row.number });
    if (batch.length >= BATCH) {
      await spec.stage(trx, batch);
      batch = [];
    }
  }
  if (columns === undefined && errors.length === 0) {
    errors.push({ row: 1, message: '文件中没有内容：第一行应为列名，之后每行一条记录' });
  }
  if (errors.length === 0) await spec.stage(trx, batch);
  return staged;
}

/** One data row parsed, with its organ found by name, or the message that says what is wrong. */
function checkRow<K extends string, P extends { organ: string }, V>(
  spec: ImportSpec<K, P, V>,
  row: TableRow,
  columns: ColumnMap<K>,
  today: IsoDate,
  organId: (name: string) => number | undefined,
): { ok: true; parsed: P; organId: number } | { ok: false; message: string } {
  if (row.cells.some((c) => typeof c === 'string' && c.includes('\uFFFD'))) {
    return { ok: false, message: '含有无法识别的字符，文件应为 UTF-8 或 GBK 编码' };
  }
  const parsed = spec.parse(row.cells, columns, today, row.date1904);
  if (!parsed.ok) return parsed;
  const id = organId(parsed.value.organ);
  if (id === undefined) {
    return { ok: false, message: `实施机关“${parsed.value.organ}”不存在，请使用机关全称，或先在机关管理中添加` };
  }
  return { ok: true, parsed: parsed.value, organId: id };
}

/**
 * Organs by name as typed in ledgers: the full name, or the short name where no other organ uses
 * it. The organ list is small (hundreds), so it is read once per import.
 */
export async function organLookup(db: Db): Promise<(name: string) => number | undefined> {
  const organs = await listOrgans(db);
  const byName = new Map<string, number>();
  for (const o of organs) byName.set(normalizeName(o.name), o.id);
  const shortNames = new Map<string, number | null>();
  for (const o of organs) {
    if (!o.short_name) continue;
    const key = normalizeName(o.short_name);
    if (byName.has(key)) continue;
    shortNames.set(key, shortNames.has(key) ? null : o.id);
  }
  return (name) => byName.get(name) ?? shortNames.get(name) ?? undefined;
}
