import { sql } from 'kysely';
import type { Db, Trx } from '../../db/database.js';

export interface AuditEntry {
  userId: number | null;
  ip: string | null;
  action: string;
  entity: string;
  entityId: string | number | null;
  before?: unknown;
  after?: unknown;
}

export async function insertAuditEntry(trx: Trx, entry: AuditEntry): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      user_id: entry.userId,
      ip: entry.ip,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId === null ? null : String(entry.entityId),
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
    })
    .execute();
}

export interface AuditFilter {
  entity?: string | undefined;
  entityId?: string | undefined;
  userId?: number | undefined;
  action?: string | undefined;
  /** Inclusive calendar days in the server's zone. */
  from?: string | undefined;
  to?: string | undefined;
  offset: number;
  limit: number;
}

export async function listAuditEntries(db: Db, filter: AuditFilter) {
  let query = db.selectFrom('audit_log as a').leftJoin('users as u', 'u.id', 'a.user_id');
  if (filter.entity) query = query.where('a.entity', '=', filter.entity);
  if (filter.entityId) query = query.where('a.entity_id', '=', filter.entityId);
  if (filter.userId) query = query.where('a.user_id', '=', filter.userId);
  if (filter.action) query = query.where('a.action', '=', filter.action);
  if (filter.from) query = query.where('a.at', '>=', sql<Date>`${filter.from}::date`);
  if (filter.to) query = query.where('a.at', '<', sql<Date>`${filter.to}::date + 1`);
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    query
      .select(['a.id', 'a.at', 'a.user_id', 'u.username', 'a.ip', 'a.action', 'a.entity', 'a.entity_id', 'a.before', 'a.after'])
      .orderBy('a.id', 'desc')
      .offset(filter.offset)
      .limit(filter.limit)
      .execute(),
  ]);
  return { total: Number(count.n), rows };
}
