import type { Db } from '../db/database.js';
import { ForbiddenError } from '../errors.js';
import { listAuditEntries, type AuditFilter } from '../repositories/audit.repository.js';
import { can, type Actor } from './actor.js';

/** Reading the audit log; nothing here (or anywhere) can change it — the database refuses too. */
export function createAuditService({ db }: { db: Db }) {
  return {
    async list(actor: Actor, query: Omit<AuditFilter, 'offset' | 'limit'> & { page: number; page_size: number }) {
      if (!can(actor, 'audit:read')) throw new ForbiddenError();
      const { page, page_size, ...filter } = query;
      const { total, rows } = await listAuditEntries(db, { ...filter, offset: (page - 1) * page_size, limit: page_size });
      return { total, page, page_size, items: rows };
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
