import type { Db, Trx } from '../../db/database.js';

export function listTopics(db: Db | Trx): Promise<{ id: number; name: string }[]> {
  return db.selectFrom('topics').select(['id', 'name']).orderBy('sort_order').orderBy('id').execute();
}

export async function findTopicsByNames(db: Db | Trx, names: string[]): Promise<{ id: number; name: string }[]> {
  if (names.length === 0) return [];
  return db.selectFrom('topics').select(['id', 'name']).where('name', 'in', names).execute();
}
