import type { Db, Trx } from '../../db/database.js';
import { parseDocNumber } from '../../shared/doc-number.js';
import { ForbiddenError, ValidationError } from '../../errors.js';
import { recordAudit } from '../accounts/audit.service.js';
import { findOrganById, insertOrgan, listOrgans } from './organ.repository.js';
import type { NewOrgan, OrganRow } from '../../db/tables.js';
import { can, type Actor } from '../accounts/actor.js';
import { translateDbError } from '../../db/db-errors.js';

// The organ reads other features use: they come through the catalog's service, never its repository.
export { findOrganById, findOrganByName, findOrgansByIds, listOrgans, organSubtreeIds } from './organ.repository.js';

/**
 * Inserts an organ with its audit row inside the caller's transaction: the API's create and the bulk
 * import (which names its source in the audit row) both register organs this way.
 */
export async function createOrganWithin(trx: Trx, actor: Actor, organ: NewOrgan, source?: string): Promise<OrganRow> {
  const row = await insertOrgan(trx, organ);
  await recordAudit(trx, {
    userId: actor.userId,
    ip: actor.ip,
    action: 'organ.create',
    entity: 'organ',
    entityId: row.id,
    after: { ...toView(row), ...(source ? { source } : {}) },
  });
  return row;
}

export interface NewOrganInput {
  name: string;
  short_name?: string | null | undefined;
  doc_prefixes?: string[] | undefined;
  parent_id?: number | null | undefined;
}

function toView(row: OrganRow) {
  return {
    id: row.id,
    name: row.name,
    short_name: row.short_name,
    parent_id: row.parent_id,
    doc_prefixes: row.doc_prefixes,
  };
}

export function createOrganService({ db }: { db: Db }) {
  return {
    async list() {
      return (await listOrgans(db)).map(toView);
    },

    async create(actor: Actor, input: NewOrganInput) {
      if (!can(actor, 'organ:write')) throw new ForbiddenError();
      const prefixes = [...new Set(input.doc_prefixes ?? [])];
      // A prefix must be usable in a 文号, or documents of this organ could never be matched to it.
      const bad = prefixes.filter((p) => parseDocNumber(`${p}〔2023〕1号`)?.prefix !== p);
      try {
        const row = await db.transaction().execute(async (trx) => {
          const errors: Record<string, string> = {};
          if (bad.length) errors['doc_prefixes'] = `文号前缀无效：${bad.join('、')}`;
          if (input.parent_id != null && !(await findOrganById(trx, input.parent_id))) {
            errors['parent_id'] = '上级机关不存在';
          }
          if (Object.keys(errors).length) throw new ValidationError('机关信息有误', errors);
          return createOrganWithin(trx, actor, {
            name: input.name,
            short_name: input.short_name ?? null,
            parent_id: input.parent_id ?? null,
            doc_prefixes: prefixes,
          });
        });
        return toView(row);
      } catch (error) {
        throw translateDbError(error, { organs_name_key: { field: 'name', message: '已有同名机关' } });
      }
    },
  };
}

export type OrganService = ReturnType<typeof createOrganService>;
