import { sql } from 'kysely';
import type { Trx } from './database.js';

/**
 * Runs `work` inside a savepoint of `trx`: if it throws, its writes (and a failed statement's abort
 * state) are rolled back and the transaction goes on, so one bad item of a batch costs only itself.
 */
export async function withSavepoint<T>(trx: Trx, work: () => Promise<T>): Promise<T> {
  await sql`savepoint batch_item`.execute(trx);
  try {
    const result = await work();
    await sql`release savepoint batch_item`.execute(trx);
    return result;
  } catch (error) {
    await sql`rollback to savepoint batch_item`.execute(trx);
    throw error;
  }
}

/** Serializes the transactions that take the same key, until they end (a PostgreSQL advisory lock). */
export async function lockForTransaction(trx: Trx, key: number): Promise<void> {
  await sql`select pg_advisory_xact_lock(${key})`.execute(trx);
}
