/**
 * The registers of requests for disclosure and of appeals: typed in, corrected (PATCH), listed and
 * imported. An import is all-or-nothing and idempotent by organ and number; a re-import may conclude
 * requests (or cases) that were open, and is refused where it contradicts a concluded record.
 */
import type { Db, Trx } from '../../db/database.js';
import type { Clock } from '../../platform/clock.js';
import type { IsoDate } from '../../shared/dates.js';
import { ConflictError, NotFoundError, ValidationError } from '../../errors.js';
import { translateDbError } from '../../db/db-errors.js';
import { recordAudit, recordImport } from '../accounts/audit.service.js';
import type { Actor } from '../accounts/actor.js';
import { findOrganById, organSubtreeIds } from '../catalog/organ.service.js';
import { organLookup, type ImportRowError, type UploadedTable } from '../article20/decision-import.service.js';
import { isBlankRow, mapColumns, normalizeName, type ColumnMap, type ColumnSpec, type RowParser } from '../article20/article20-import.js';
import { fenToYuan } from '../article20/article20.js';
import { readTable, type TableFormat } from '../../platform/table-reader.js';
import { APPEAL_KIND_LABELS, APPEAL_RESULT_LABELS, APPLICANT_LABELS, OUTCOME_ROWS, type Outcome } from './annual-report.js';
import { deadlineState } from './request-deadline.js';
import {
  APPEAL_COLUMNS,
  REQUEST_COLUMNS,
  appealDateErrors,
  parseAppealRow,
  parseRequestRow,
  requestDateErrors,
  type AppealValues,
  type RequestValues,
} from './register.js';
import * as repo from './register.repository.js';

export interface RegisterDeps {
  db: Db;
  clock: Clock;
}

export interface RegisterImportResult {
  inserted: number;
  duplicates: number;
  updated: number;
  errors: ImportRowError[];
  rows: number;
  format: TableFormat;
  dry_run: boolean;
}

/** What differs between the two registers; everything else (entry, patch, import) is shared. */
interface RegisterSpec<V extends { organ_id: number; number: string }, R extends { id: number; organ_id: number; number: string; concluded_on: IsoDate | null }, K extends string> {
  entity: 'disclosure_request' | 'appeal';
  /** 申请 / 案件 */
  noun: string;
  columns: Record<K, ColumnSpec>;
  parse: RowParser<K, Omit<V, 'organ_id'> & { organ: string }>;
  dateErrors: (v: V, today: IsoDate) => Record<string, string>;
  /** Fields that name the record: an import that changes them contradicts the register. */
  identity: (keyof V & keyof R)[];
  toValues: (r: R) => V;
  insert: (trx: Trx, v: V, userId: number | null) => Promise<number | undefined>;
  update: (trx: Trx, id: number, v: V) => Promise<void>;
  find: (db: Db | Trx, id: number, lock?: boolean) => Promise<R | undefined>;
  findByNumbers: (trx: Trx, keys: { organ_id: number; number: string }[]) => Promise<R[]>;
}

const requestValuesOf = (r: repo.RequestRecord): RequestValues => ({
  organ_id: r.organ_id,
  number: r.number,
  received_on: r.received_on,
  applicant_type: r.applicant_type,
  subject: r.subject,
  correction_asked_on: r.correction_asked_on,
  correction_received_on: r.correction_received_on,
  extended_on: r.extended_on,
  concluded_on: r.concluded_on,
  outcome: r.outcome,
  fee_fen: r.fee_fen === null ? null : BigInt(r.fee_fen),
});

const REQUESTS: RegisterSpec<RequestValues, repo.RequestRecord, keyof typeof REQUEST_COLUMNS> = {
  entity: 'disclosure_request',
  noun: '申请',
  columns: REQUEST_COLUMNS,
  parse: parseRequestRow,
  dateErrors: requestDateErrors,
  identity: ['received_on', 'applicant_type'],
  toValues: requestValuesOf,
  insert: repo.insertRequest,
  update: repo.updateRequest,
  find: repo.findRequest,
  findByNumbers: repo.findRequestsByNumbers,
};

const APPEALS: RegisterSpec<AppealValues, repo.AppealRecord, keyof typeof APPEAL_COLUMNS> = {
  entity: 'appeal',
  noun: '案件',
  columns: APPEAL_COLUMNS,
  parse: parseAppealRow,
  dateErrors: appealDateErrors,
  identity: ['kind', 'filed_on'],
  toValues: (a) => ({ organ_id: a.organ_id, number: a.number, kind: a.kind, filed_on: a.filed_on, concluded_on: a.concluded_on, result: a.result }),
  insert: repo.insertAppeal,
  update: repo.updateAppeal,
  find: repo.findAppeal,
  findByNumbers: repo.findAppealsByNumbers,
};

/** A request as the API answers it: labels beside codes, fee in yuan, and where its deadline stands. */
export function requestView(r: repo.RequestRecord, today: IsoDate) {
  const outcome = r.outcome === null ? null : OUTCOME_ROWS.find((o) => o.code === r.outcome)!;
  return {
    id: r.id,
    organ: { id: r.organ_id, name: r.organ_name },
    number: r.number,
    received_on: r.received_on,
    applicant_type: r.applicant_type,
    applicant_type_label: APPLICANT_LABELS[r.applicant_type],
    subject: r.subject,
    correction_asked_on: r.correction_asked_on,
    correction_received_on: r.correction_received_on,
    extended_on: r.extended_on,
    concluded_on: r.concluded_on,
    outcome: r.outcome,
    outcome_label: outcome ? `${outcome.group}${outcome.label ? ` ${outcome.label}` : ''}` : null,
    fee_yuan: r.fee_fen === null ? null : fenToYuan(BigInt(r.fee_fen)),
    deadline: r.concluded_on === null ? deadlineState(r, today) : null,
  };
}

export function appealView(a: repo.AppealRecord) {
  return {
    id: a.id,
    organ: { id: a.organ_id, name: a.organ_name },
    number: a.number,
    kind: a.kind,
    kind_label: APPEAL_KIND_LABELS[a.kind],
    filed_on: a.filed_on,
    concluded_on: a.concluded_on,
    result: a.result,
    result_label: a.result === null ? null : APPEAL_RESULT_LABELS[a.result],
  };
}

function assertDates<V>(spec: { dateErrors: (v: V, today: IsoDate) => Record<string, string> }, v: V, today: IsoDate) {
  const errors = spec.dateErrors(v, today);
  const messages = Object.values(errors);
  if (messages.length) throw new ValidationError(messages.join('；'), errors);
}

async function requireOrgan(trx: Trx, organId: number) {
  if (!(await findOrganById(trx, organId))) throw new ValidationError('受理机关不存在', { organ_id: '受理机关不存在' });
}

async function createRecord<V extends { organ_id: number; number: string }, R extends { id: number; organ_id: number; number: string; concluded_on: IsoDate | null }, K extends string>(
  { db, clock }: RegisterDeps,
  spec: RegisterSpec<V, R, K>,
  actor: Actor,
  input: V,
): Promise<R> {
  const values = { ...input, number: normalizeName(input.number) };
  assertDates(spec, values, clock.today());
  try {
    return await db.transaction().execute(async (trx) => {
      await requireOrgan(trx, values.organ_id);
      const id = await spec.insert(trx, values, actor.userId);
      if (id === undefined) throw new ConflictError(`该机关已登记过编号为“${values.number}”的${spec.noun}`, { number: `编号已存在` });
      await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action: `${spec.entity}.create`, entity: spec.entity, entityId: id, after: auditable(values) });
      return (await spec.find(trx, id))!;
    });
  } catch (error) {
    throw translateDbError(error);
  }
}

async function patchRecord<V extends { organ_id: number; number: string }, R extends { id: number; organ_id: number; number: string; concluded_on: IsoDate | null }, K extends string>(
  { db, clock }: RegisterDeps,
  spec: RegisterSpec<V, R, K>,
  actor: Actor,
  id: number,
  patch: Partial<V>,
): Promise<R> {
  try {
    return await db.transaction().execute(async (trx) => {
      const existing = await spec.find(trx, id, true);
      if (!existing) throw new NotFoundError(`${spec.noun}不存在`);
      const before = spec.toValues(existing);
      const values = { ...before, ...patch } as V;
      values.number = normalizeName(values.number);
      assertDates(spec, values, clock.today());
      await requireOrgan(trx, values.organ_id);
      await spec.update(trx, id, values);
      await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action: `${spec.entity}.update`, entity: spec.entity, entityId: id, before: auditable(before), after: auditable(values) });
      return (await spec.find(trx, id))!;
    });
  } catch (error) {
    throw translateDbError(error, { [`${spec.entity === 'appeal' ? 'appeals' : 'disclosure_requests'}_natural_key`]: { field: 'number', message: `该机关已登记过此编号的${spec.noun}` } });
  }
}

/** Bigints (fees) as text, so that the audit row is plain JSON. */
const auditable = (v: object) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'bigint' ? x.toString() : x]));

type Parsed<V> = { row: number; values: V };

/** Every row of the file parsed, with its organ; nothing is written here. */
async function readRows<V extends { organ_id: number; number: string }, K extends string>(
  db: Db,
  spec: RegisterSpec<V, never, K> | RegisterSpec<V, any, K>,
  file: UploadedTable,
  today: IsoDate,
) {
  const { format, rows } = readTable(file.bytes);
  const organId = await organLookup(db);
  const parsed: Parsed<V>[] = [];
  const errors: ImportRowError[] = [];
  let columns: ColumnMap<K> | undefined;
  for await (const row of rows) {
    if (isBlankRow(row.cells)) continue;
    if (columns === undefined) {
      const mapped = mapColumns(row.cells, spec.columns);
      if ('error' in mapped) return { format, parsed, errors: [{ row: row.number, message: mapped.error }] };
      columns = mapped.columns;
      continue;
    }
    const result = spec.parse(row.cells, columns, today, row.date1904);
    if (!result.ok) {
      errors.push({ row: row.number, message: result.message });
      continue;
    }
    const { organ, ...rest } = result.value;
    const id = organId(organ);
    if (id === undefined) errors.push({ row: row.number, message: `受理机关“${organ}”不存在，请使用机关全称，或先在机关管理中添加` });
    else parsed.push({ row: row.number, values: { ...rest, organ_id: id } as unknown as V });
  }
  if (columns === undefined) errors.push({ row: 1, message: '文件中没有内容：第一行应为列名，之后每行一条记录' });
  return { format, parsed, errors };
}

const same = (a: unknown, b: unknown) => (typeof a === 'bigint' || typeof b === 'bigint' ? String(a) === String(b) : a === b);

/** What one imported row does to the register: nothing, a new record, the conclusion of an open one, or a contradiction. */
function classify<V extends object, R extends { concluded_on: IsoDate | null }>(spec: RegisterSpec<any, any, any>, existing: R | undefined, values: V, noun: string): 'insert' | 'duplicate' | 'update' | string {
  if (!existing) return 'insert';
  const stored = spec.toValues(existing) as Record<string, unknown>;
  const differing = Object.keys(values).filter((k) => !same(stored[k], (values as Record<string, unknown>)[k]));
  if (differing.length === 0) return 'duplicate';
  const identityChanged = differing.some((k) => (spec.identity as string[]).includes(k));
  if (identityChanged) return `与已登记的${noun}（同一机关、同一编号）不一致：${differing.join('、')}`;
  if (existing.concluded_on !== null) return `该${noun}已办结，文件中的内容与登记不一致：${differing.join('、')}`;
  return 'update';
}

async function runImport<V extends { organ_id: number; number: string }, R extends { id: number; organ_id: number; number: string; concluded_on: IsoDate | null }, K extends string>(
  { db, clock }: RegisterDeps,
  spec: RegisterSpec<V, R, K>,
  actor: Actor,
  file: UploadedTable,
  options: { dryRun: boolean },
): Promise<RegisterImportResult> {
  const { format, parsed, errors } = await readRows(db, spec, file, clock.today());
  const result = { inserted: 0, duplicates: 0, updated: 0, errors, rows: parsed.length + errors.length, format, dry_run: options.dryRun };
  if (errors.length) return result;
  const trx = await db.startTransaction().execute();
  try {
    const seen = new Map<string, V>();
    for (let i = 0; i < parsed.length; i += 1000) {
      const batch = parsed.slice(i, i + 1000);
      const existing = new Map((await spec.findByNumbers(trx, batch.map((p) => p.values))).map((r) => [`${r.organ_id}|${r.number}`, r]));
      for (const { row, values } of batch) {
        const key = `${values.organ_id}|${values.number}`;
        const earlier = seen.get(key);
        if (earlier) {
          if (Object.keys(values).some((k) => !same((earlier as Record<string, unknown>)[k], (values as Record<string, unknown>)[k]))) errors.push({ row, message: `编号“${values.number}”在文件中出现两次，且内容不同` });
          else result.duplicates++;
          continue;
        }
        seen.set(key, values);
        const verdict = classify(spec, existing.get(key), values, spec.noun);
        if (verdict === 'insert') await spec.insert(trx, values, actor.userId).then(() => result.inserted++);
        else if (verdict === 'duplicate') result.duplicates++;
        else if (verdict === 'update') await spec.update(trx, existing.get(key)!.id, values).then(() => result.updated++);
        else errors.push({ row, message: verdict });
      }
    }
    if (errors.length || options.dryRun) {
      await trx.rollback().execute();
      return errors.length ? { ...result, inserted: 0, duplicates: 0, updated: 0 } : result;
    }
    await recordImport(trx, actor, spec.entity, file, { format, rows: result.rows, inserted: result.inserted, updated: result.updated, duplicates: result.duplicates });
    await trx.commit().execute();
    return result;
  } catch (error) {
    await trx.rollback().execute().catch(() => undefined);
    throw translateDbError(error);
  }
}

export interface RegisterQuery {
  organ_id?: number | undefined;
  subtree: boolean;
  year?: number | undefined;
  open?: boolean | undefined;
  q?: string | undefined;
  page: number;
  page_size: number;
}

async function filterOf(db: Db, query: RegisterQuery): Promise<repo.RegisterFilter> {
  let organIds: number[] | null = null;
  if (query.organ_id !== undefined) organIds = query.subtree ? await organSubtreeIds(db, query.organ_id) : [query.organ_id];
  return { organIds, year: query.year ?? null, open: query.open ?? null, q: query.q?.trim() || null };
}

export function createRegisterService(deps: RegisterDeps) {
  const { db, clock } = deps;
  const page = (q: RegisterQuery) => ({ offset: (q.page - 1) * q.page_size, limit: q.page_size });
  return {
    createRequest: async (actor: Actor, input: RequestValues) => requestView(await createRecord(deps, REQUESTS, actor, input), clock.today()),
    updateRequest: async (actor: Actor, id: number, patch: Partial<RequestValues>) => requestView(await patchRecord(deps, REQUESTS, actor, id, patch), clock.today()),
    getRequest: async (id: number) => {
      const r = await repo.findRequest(db, id);
      if (!r) throw new NotFoundError('申请不存在');
      return requestView(r, clock.today());
    },
    listRequests: async (query: RegisterQuery & { applicant_type?: string | undefined; outcome?: Outcome | string | undefined }) => {
      const filter = { ...(await filterOf(db, query)), applicant_type: query.applicant_type ?? null, outcome: query.outcome ?? null };
      const { rows, total } = await repo.listRequests(db, filter, page(query));
      return { total, page: query.page, page_size: query.page_size, items: rows.map((r) => requestView(r, clock.today())) };
    },
    importRequests: (actor: Actor, file: UploadedTable, options: { dryRun: boolean }) => runImport(deps, REQUESTS, actor, file, options),
    /** Open requests by days left (overdue first), for the compliance page. */
    openRequests: async (organId: number | null, limit = 500) => {
      const organIds = organId === null ? null : await organSubtreeIds(db, organId);
      const today = clock.today();
      const rank = (v: ReturnType<typeof requestView>) =>
        v.deadline?.state === 'overdue' ? -v.deadline.working_days_overdue : v.deadline?.state === 'open' ? v.deadline.working_days_left : Number.MAX_SAFE_INTEGER;
      return (await repo.openRequests(db, organIds, limit)).map((r) => requestView(r, today)).sort((a, b) => rank(a) - rank(b));
    },
    createAppeal: async (actor: Actor, input: AppealValues) => appealView(await createRecord(deps, APPEALS, actor, input)),
    updateAppeal: async (actor: Actor, id: number, patch: Partial<AppealValues>) => appealView(await patchRecord(deps, APPEALS, actor, id, patch)),
    getAppeal: async (id: number) => {
      const a = await repo.findAppeal(db, id);
      if (!a) throw new NotFoundError('案件不存在');
      return appealView(a);
    },
    listAppeals: async (query: RegisterQuery & { kind?: string | undefined }) => {
      const { rows, total } = await repo.listAppeals(db, { ...(await filterOf(db, query)), kind: query.kind ?? null }, page(query));
      return { total, page: query.page, page_size: query.page_size, items: rows.map(appealView) };
    },
    importAppeals: (actor: Actor, file: UploadedTable, options: { dryRun: boolean }) => runImport(deps, APPEALS, actor, file, options),
  };
}

export type RegisterService = ReturnType<typeof createRegisterService>;
