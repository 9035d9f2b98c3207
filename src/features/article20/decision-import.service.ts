import { createHash } from 'node:crypto';
import type { Db, Trx } from '../../db/database.js';
import { DECISION_KIND_LABELS, fenToYuan, yuanToFen, type DecisionKind } from './article20.js';
import {
  DECISION_COLUMNS,
  FEE_COLUMNS,
  decisionNumberKey,
  isBlankRow,
  mapColumns,
  normalizeName,
  parseDecisionRow,
  parseFeeRow,
  parseImportDate,
  type CellValue,
  type ColumnMap,
  type ColumnSpec,
  type RowResult,
} from './article20-import.js';
import type { IsoDate } from '../../shared/dates.js';
import { ConflictError, ForbiddenError, ValidationError } from '../../errors.js';
import { recordAudit } from '../accounts/audit.service.js';
import * as decisions from './decision.repository.js';
import * as fees from './fee.repository.js';
import { findOrganById, listOrgans } from '../catalog/organ.service.js';
import { can, type Actor } from '../accounts/actor.js';
import type { Clock } from '../../platform/clock.js';
import { translateDbError } from '../../db/db-errors.js';
import { readTable, type TableFormat } from '../../platform/table-reader.js';

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

/** Rows staged per statement: large enough to amortize the round trip, small enough to stay flat in memory. */
const BATCH = 5_000;
const PREVIEW = 20;

/**
 * Organs by name as typed in ledgers: the full name, or the short name where no other organ uses
 * it. The organ list is small (hundreds), so it is read once per import.
 */
async function organLookup(db: Db): Promise<(name: string) => number | undefined> {
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

interface ImportSpec<K extends string, P extends { organ: string }, V> {
  entity: 'decision' | 'fee';
  columns: Record<K, ColumnSpec>;
  parse: (cells: CellValue[], columns: ColumnMap<K>, today: IsoDate, date1904: boolean) => RowResult<P>;
  values: (parsed: P, organId: number) => V;
  preview: (values: V, parsed: P) => unknown;
  createStaging: (trx: Trx) => Promise<void>;
  stage: (trx: Trx, rows: (V & { row: number })[]) => Promise<void>;
  merge: (trx: Trx, userId: number | null) => Promise<number>;
}

export function createImportService({ db, clock }: { db: Db; clock: Clock }) {
  function assertCan(actor: Actor) {
    if (!can(actor, 'decision:write')) throw new ForbiddenError();
  }

  /**
   * Reads the file row by row, staging valid rows in batches inside one transaction; any bad row
   * stops the staging but not the reading, so that every bad row is reported, and nothing is kept.
   * A dry run goes all the way (the counts are real) and then rolls back.
   */
  async function runImport<K extends string, P extends { organ: string }, V>(
    actor: Actor,
    file: UploadedTable,
    options: { dryRun: boolean },
    spec: ImportSpec<K, P, V>,
  ): Promise<ImportResult<unknown>> {
    assertCan(actor);
    const { format, encoding, rows } = readTable(file.bytes);
    const today = clock.today();
    const trx = await db.startTransaction().execute();
    try {
      await spec.createStaging(trx);
      const organId = await organLookup(trx);
      const errors: ImportRowError[] = [];
      const preview: unknown[] = [];
      let columns: ColumnMap<K> | undefined;
      let batch: (V & { row: number })[] = [];
      let count = 0;
      for await (const row of rows) {
        if (columns === undefined) {
          if (isBlankRow(row.cells)) continue;
          const mapped = mapColumns(row.cells, spec.columns);
          if ('error' in mapped) {
            // A UTF-8 file with one broken byte is read as GBK, and its header no longer matches.
            const hint = encoding === 'gb18030' ? '（文件按 GBK 编码读取；如果它是 UTF-8 文件，其中有损坏的字节）' : '';
            errors.push({ row: row.number, message: mapped.error + hint });
            break;
          }
          columns = mapped.columns;
          continue;
        }
        if (isBlankRow(row.cells)) continue;
        count++;
        if (row.cells.some((c) => typeof c === 'string' && c.includes('\uFFFD'))) {
          errors.push({ row: row.number, message: '含有无法识别的字符，文件应为 UTF-8 或 GBK 编码' });
          continue;
        }
        const parsed = spec.parse(row.cells, columns, today, row.date1904);
        if (!parsed.ok) {
          errors.push({ row: row.number, message: parsed.message });
          continue;
        }
        const id = organId(parsed.value.organ);
        if (id === undefined) {
          errors.push({ row: row.number, message: `实施机关“${parsed.value.organ}”不存在，请使用机关全称，或先在机关管理中添加` });
          continue;
        }
        if (errors.length) continue;
        const values = spec.values(parsed.value, id);
        if (options.dryRun && preview.length < PREVIEW) preview.push(spec.preview(values, parsed.value));
        batch.push({ ...values, row: row.number });
        if (batch.length >= BATCH) {
          await spec.stage(trx, batch);
          batch = [];
        }
      }
      if (columns === undefined && errors.length === 0) {
        errors.push({ row: 1, message: '文件中没有内容：第一行应为列名，之后每行一条记录' });
      }
      const base = { rows: count, format, dry_run: options.dryRun };
      if (errors.length) {
        await trx.rollback().execute();
        return { ...base, inserted: 0, duplicates: 0, errors };
      }
      await spec.stage(trx, batch);
      const inserted = await spec.merge(trx, actor.userId);
      const result = { ...base, inserted, duplicates: count - inserted, errors: [] };
      await recordAudit(trx, {
        userId: actor.userId,
        ip: actor.ip,
        action: `${spec.entity}.import`,
        entity: `${spec.entity}_import`,
        entityId: null,
        after: { file_name: file.name, sha256: createHash('sha256').update(file.bytes).digest('hex'), format, rows: count, inserted, duplicates: result.duplicates },
      });
      if (options.dryRun) {
        await trx.rollback().execute();
        return { ...result, preview };
      }
      await trx.commit().execute();
      return result;
    } catch (error) {
      await trx.rollback().execute().catch(() => undefined);
      throw translateDbError(error);
    }
  }

  async function requireOrgan(trx: Trx, organId: number) {
    const organ = await findOrganById(trx, organId);
    if (!organ) throw new ValidationError('实施机关不存在', { organ_id: '实施机关不存在' });
    return organ;
  }

  function dateField(value: string, field: string, label: string, today: IsoDate): IsoDate {
    try {
      return parseImportDate(value, today, label);
    } catch (error) {
      if (error instanceof RangeError) throw new ValidationError(`${label}有误`, { [field]: error.message });
      throw error;
    }
  }

  return {
    importDecisions(actor: Actor, file: UploadedTable, options: { dryRun: boolean }) {
      return runImport(actor, file, options, {
        entity: 'decision',
        columns: DECISION_COLUMNS,
        parse: parseDecisionRow,
        values: (p, organId): decisions.DecisionValues => ({
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
      });
    },

    importFees(actor: Actor, file: UploadedTable, options: { dryRun: boolean }) {
      return runImport(actor, file, options, {
        entity: 'fee',
        columns: FEE_COLUMNS,
        parse: parseFeeRow,
        values: (p, organId): fees.FeeValues => ({
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
      });
    },

    /** One decision typed in by hand; the same (kind, organ, number) twice is a conflict. */
    async createDecision(actor: Actor, input: { kind: DecisionKind; decision_number: string; decided_on: IsoDate; organ_id: number }) {
      assertCan(actor);
      const decidedOn = dateField(input.decided_on, 'decided_on', '决定日期', clock.today());
      const values: decisions.DecisionValues = {
        kind: input.kind,
        organ_id: input.organ_id,
        decision_number: normalizeName(input.decision_number),
        decision_number_key: decisionNumberKey(input.decision_number),
        decided_on: decidedOn,
      };
      try {
        return await db.transaction().execute(async (trx) => {
          const organ = await requireOrgan(trx, input.organ_id);
          const id = await decisions.insertDecision(trx, values, actor.userId);
          if (id === undefined) {
            const existing = await decisions.findDecisionByKey(trx, values);
            const message = `该机关已登记过此${DECISION_KIND_LABELS[values.kind]}决定${existing ? `（${existing.decision_number}，${existing.decided_on}）` : ''}`;
            throw new ConflictError(message, { decision_number: message });
          }
          await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action: 'decision.create', entity: 'decision', entityId: id, after: values });
          return {
            id,
            kind: values.kind,
            kind_label: DECISION_KIND_LABELS[values.kind],
            decision_number: values.decision_number,
            decided_on: values.decided_on,
            organ: { id: organ.id, name: organ.name },
          };
        });
      } catch (error) {
        throw translateDbError(error);
      }
    },

    /** One fee record typed in by hand, a new payment unless its receipt number is already stored. */
    async createFee(
      actor: Actor,
      input: { organ_id: number; item: string; amount_yuan: string; collected_on: IsoDate; receipt_number?: string | null | undefined },
    ) {
      assertCan(actor);
      const collectedOn = dateField(input.collected_on, 'collected_on', '收费日期', clock.today());
      let amountFen: bigint;
      try {
        amountFen = yuanToFen(input.amount_yuan);
      } catch (error) {
        if (error instanceof RangeError) throw new ValidationError('金额有误', { amount_yuan: error.message });
        throw error;
      }
      const receipt = input.receipt_number ? normalizeName(input.receipt_number) : '';
      const values: fees.FeeValues = {
        organ_id: input.organ_id,
        item: normalizeName(input.item),
        amount_fen: amountFen,
        collected_on: collectedOn,
        receipt_number: receipt === '' ? null : receipt,
      };
      try {
        return await db.transaction().execute(async (trx) => {
          const organ = await requireOrgan(trx, input.organ_id);
          const id = await fees.insertFee(trx, values, actor.userId);
          if (id === undefined) {
            throw values.receipt_number === null
              ? new ConflictError('同一笔收费正被同时登记，请重试')
              : new ConflictError('该机关已登记过此票据号的收费', { receipt_number: '该机关已登记过此票据号的收费' });
          }
          const after = { ...values, amount_fen: values.amount_fen.toString() };
          await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action: 'fee.create', entity: 'fee', entityId: id, after });
          return {
            id,
            item: values.item,
            amount_fen: Number(values.amount_fen),
            amount_yuan: fenToYuan(values.amount_fen),
            collected_on: values.collected_on,
            receipt_number: values.receipt_number,
            organ: { id: organ.id, name: organ.name },
          };
        });
      } catch (error) {
        throw translateDbError(error);
      }
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;
