import { createHash } from 'node:crypto';
import type { Db, Trx } from '../../db/database.js';
import { ForbiddenError } from '../../errors.js';
import { insertAuditEntry, listAuditEntries, type AuditEntry } from './audit.repository.js';
import { can, type Actor } from './actor.js';

/** The filters of the API and the staff page, as they arrive. */
export interface AuditQuery {
  entity?: string | undefined;
  entity_id?: string | undefined;
  user_id?: number | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  page: number;
  page_size: number;
}

/**
 * Writes an audit row inside the caller's transaction, so a change and its record commit or vanish
 * together. Every feature that changes data records it through here.
 */
export function recordAudit(trx: Trx, entry: AuditEntry): Promise<void> {
  return insertAuditEntry(trx, entry);
}

/**
 * The audit row of a bulk import: who loaded which file (by name and SHA-256, so the very bytes can be
 * recognised later), in which format, and what it changed. Decisions, fees and the registers share it.
 */
export function recordImport(
  trx: Trx,
  actor: Actor,
  entity: string,
  file: { name: string; bytes: Buffer },
  summary: Record<string, unknown>,
): Promise<void> {
  const sha256 = createHash('sha256').update(file.bytes).digest('hex');
  return recordAudit(trx, {
    userId: actor.userId,
    ip: actor.ip,
    action: `${entity}.import`,
    entity: `${entity}_import`,
    entityId: null,
    after: { file_name: file.name, sha256, ...summary },
  });
}

/** Reading the audit log; nothing here (or anywhere) can change it — the database refuses too. */
export function createAuditService({ db }: { db: Db }) {
  return {
    async list(actor: Actor, query: AuditQuery) {
      if (!can(actor, 'audit:read')) throw new ForbiddenError();
      const { page, page_size } = query;
      const { total, rows } = await listAuditEntries(db, {
        entity: query.entity,
        entityId: query.entity_id,
        userId: query.user_id,
        action: query.action,
        from: query.from,
        to: query.to,
        offset: (page - 1) * page_size,
        limit: page_size,
      });
      return { total, page, page_size, items: rows };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
