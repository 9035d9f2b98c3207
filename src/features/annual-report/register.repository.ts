import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import { yearEnd, yearStart } from '../../shared/dates.js';
import type { AppealFacts, RequestFacts } from './annual-report.js';
import type { AppealValues, RequestValues } from './register.js';

const REQUEST_COLUMNS = [
  'r.id',
  'r.organ_id',
  'o.name as organ_name',
  'r.number',
  'r.received_on',
  'r.applicant_type',
  'r.subject',
  'r.correction_asked_on',
  'r.correction_received_on',
  'r.extended_on',
  'r.concluded_on',
  'r.outcome',
  'r.fee_fen',
] as const;

const APPEAL_COLUMNS = ['a.id', 'a.organ_id', 'o.name as organ_name', 'a.number', 'a.kind', 'a.filed_on', 'a.concluded_on', 'a.result'] as const;

/** A request as the register lists it. */
export type RequestRecord = RequestFacts & Omit<RequestValues, 'fee_fen' | 'applicant_type' | 'outcome'> & { id: number; organ_name: string; fee_fen: string | null };
export type AppealRecord = AppealFacts & { organ_id: number; organ_name: string };

/** A LIKE pattern matching `text` anywhere, its wildcards taken literally. */
const containing = (text: string) => `%${text.replace(/[%_\\]/g, '\\$&')}%`;

const storedRequest = (v: RequestValues) => ({ ...v, fee_fen: v.fee_fen === null ? null : v.fee_fen.toString() });

export async function insertRequest(trx: Trx, v: RequestValues, userId: number | null): Promise<number | undefined> {
  const row = await trx
    .insertInto('disclosure_requests')
    .values({ ...storedRequest(v), created_by: userId })
    .onConflict((oc) => oc.constraint('disclosure_requests_natural_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function updateRequest(trx: Trx, id: number, v: RequestValues): Promise<void> {
  await trx.updateTable('disclosure_requests').set({ ...storedRequest(v), updated_at: sql`now()` }).where('id', '=', id).execute();
}

function requestsFrom(db: Db | Trx) {
  return db.selectFrom('disclosure_requests as r').innerJoin('organs as o', 'o.id', 'r.organ_id').select(REQUEST_COLUMNS);
}

export async function findRequest(db: Db | Trx, id: number, lock = false): Promise<RequestRecord | undefined> {
  const query = requestsFrom(db).where('r.id', '=', id);
  return (await (lock ? query.forUpdate('r') : query).executeTakeFirst()) as RequestRecord | undefined;
}

export async function findRequestsByNumbers(trx: Trx, keys: { organ_id: number; number: string }[]): Promise<RequestRecord[]> {
  if (keys.length === 0) return [];
  const rows = await requestsFrom(trx)
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('r.organ_id', '=', k.organ_id), eb('r.number', '=', k.number)]))))
    .forUpdate('r')
    .execute();
  return rows as RequestRecord[];
}

export interface RegisterFilter {
  organIds: number[] | null;
  year: number | null;
  open: boolean | null;
  q: string | null;
}

/** The requests of some organs that year Y's table can see: received or concluded in Y, or open across it. */
export async function requestsForYear(db: Db, organIds: number[], year: number): Promise<RequestRecord[]> {
  const from = yearStart(year);
  const to = yearEnd(year);
  const rows = await requestsFrom(db)
    .where('r.organ_id', 'in', organIds)
    .where((eb) =>
      eb.or([
        eb.and([eb('r.received_on', '<=', to), eb.or([eb('r.concluded_on', 'is', null), eb('r.concluded_on', '>=', from)])]),
        eb.and([eb('r.concluded_on', '>=', from), eb('r.concluded_on', '<=', to)]),
        // Received in Y but concluded before it (dates that disagree): 一 counts it, the balance check names it.
        eb.and([eb('r.received_on', '>=', from), eb('r.received_on', '<=', to)]),
      ]),
    )
    .orderBy('r.received_on')
    .orderBy('r.id')
    .execute();
  return rows as RequestRecord[];
}

export async function listRequests(db: Db, filter: RegisterFilter & { applicant_type: string | null; outcome: string | null }, page: { offset: number; limit: number }) {
  let query = db.selectFrom('disclosure_requests as r').innerJoin('organs as o', 'o.id', 'r.organ_id');
  if (filter.organIds) query = query.where('r.organ_id', 'in', filter.organIds);
  if (filter.year !== null) query = query.where('r.received_on', '>=', yearStart(filter.year)).where('r.received_on', '<=', yearEnd(filter.year));
  if (filter.open !== null) query = query.where('r.concluded_on', filter.open ? 'is' : 'is not', null);
  if (filter.applicant_type) query = query.where('r.applicant_type', '=', filter.applicant_type);
  if (filter.outcome) query = query.where((eb) => eb.or([eb('r.outcome', '=', filter.outcome!), eb('r.outcome', 'like', `${filter.outcome!}.%`)]));
  if (filter.q) query = query.where((eb) => eb.or([eb('r.number', 'ilike', containing(filter.q!)), eb('r.subject', 'ilike', containing(filter.q!))]));
  const [rows, total] = await Promise.all([
    query.select(REQUEST_COLUMNS).orderBy('r.received_on', 'desc').orderBy('r.id', 'desc').offset(page.offset).limit(page.limit).execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows as RequestRecord[], total: Number(total.n) };
}

/** Every open request of some organs (or all), oldest first: the compliance page's deadlines. */
export async function openRequests(db: Db, organIds: number[] | null, limit: number): Promise<RequestRecord[]> {
  let query = requestsFrom(db).where('r.concluded_on', 'is', null);
  if (organIds) query = query.where('r.organ_id', 'in', organIds);
  return (await query.orderBy('r.received_on').orderBy('r.id').limit(limit).execute()) as RequestRecord[];
}

export async function insertAppeal(trx: Trx, v: AppealValues, userId: number | null): Promise<number | undefined> {
  const row = await trx
    .insertInto('appeals')
    .values({ ...v, created_by: userId })
    .onConflict((oc) => oc.constraint('appeals_natural_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export async function updateAppeal(trx: Trx, id: number, v: AppealValues): Promise<void> {
  await trx.updateTable('appeals').set({ ...v, updated_at: sql`now()` }).where('id', '=', id).execute();
}

function appealsFrom(db: Db | Trx) {
  return db.selectFrom('appeals as a').innerJoin('organs as o', 'o.id', 'a.organ_id').select(APPEAL_COLUMNS);
}

export async function findAppeal(db: Db | Trx, id: number, lock = false): Promise<AppealRecord | undefined> {
  const query = appealsFrom(db).where('a.id', '=', id);
  return (await (lock ? query.forUpdate('a') : query).executeTakeFirst()) as AppealRecord | undefined;
}

export async function findAppealsByNumbers(trx: Trx, keys: { organ_id: number; number: string }[]): Promise<AppealRecord[]> {
  if (keys.length === 0) return [];
  const rows = await appealsFrom(trx)
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('a.organ_id', '=', k.organ_id), eb('a.number', '=', k.number)]))))
    .forUpdate('a')
    .execute();
  return rows as AppealRecord[];
}

export async function appealsForYear(db: Db, organIds: number[], year: number): Promise<AppealRecord[]> {
  const from = yearStart(year);
  const rows = await appealsFrom(db)
    .where('a.organ_id', 'in', organIds)
    .where('a.filed_on', '<=', yearEnd(year))
    .where((eb) => eb.or([eb('a.concluded_on', 'is', null), eb('a.concluded_on', '>=', from)]))
    .orderBy('a.filed_on')
    .orderBy('a.id')
    .execute();
  return rows as AppealRecord[];
}

export async function listAppeals(db: Db, filter: RegisterFilter & { kind: string | null }, page: { offset: number; limit: number }) {
  let query = db.selectFrom('appeals as a').innerJoin('organs as o', 'o.id', 'a.organ_id');
  if (filter.organIds) query = query.where('a.organ_id', 'in', filter.organIds);
  if (filter.year !== null) query = query.where('a.filed_on', '>=', yearStart(filter.year)).where('a.filed_on', '<=', yearEnd(filter.year));
  if (filter.open !== null) query = query.where('a.concluded_on', filter.open ? 'is' : 'is not', null);
  if (filter.kind) query = query.where('a.kind', '=', filter.kind);
  if (filter.q) query = query.where('a.number', 'ilike', containing(filter.q));
  const [rows, total] = await Promise.all([
    query.select(APPEAL_COLUMNS).orderBy('a.filed_on', 'desc').orderBy('a.id', 'desc').offset(page.offset).limit(page.limit).execute(),
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows: rows as AppealRecord[], total: Number(total.n) };
}
