import type { Db, Trx } from '../../db/database.js';
import type { NewOrgan, OrganRow } from '../../db/tables.js';

export function listOrgans(db: Db): Promise<OrganRow[]> {
  return db.selectFrom('organs').selectAll().orderBy('parent_id', (ob) => ob.nullsFirst()).orderBy('id').execute();
}

export function findOrganById(db: Db | Trx, id: number): Promise<OrganRow | undefined> {
  return db.selectFrom('organs').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findOrgansByIds(db: Db | Trx, ids: number[]): Promise<OrganRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('organs').selectAll().where('id', 'in', ids).execute();
}

export function findOrganByName(db: Db | Trx, name: string): Promise<OrganRow | undefined> {
  return db.selectFrom('organs').selectAll().where('name', '=', name).executeTakeFirst();
}

export function insertOrgan(trx: Trx, organ: NewOrgan): Promise<OrganRow> {
  return trx.insertInto('organs').values(organ).returningAll().executeTakeFirstOrThrow();
}

/** The organ and every organ below it, for counting "with sub-organs". */
export async function organSubtreeIds(db: Db | Trx, rootId: number): Promise<number[]> {
  const rows = await db
    .withRecursive('tree(id)', (qb) =>
      qb
        .selectFrom('organs')
        .select('id')
        .where('id', '=', rootId)
        .unionAll((q) => q.selectFrom('organs as o').innerJoin('tree', 'tree.id', 'o.parent_id').select('o.id')),
    )
    .selectFrom('tree')
    .select('id')
    .execute();
  return rows.map((r) => r.id);
}
