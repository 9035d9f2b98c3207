import type { Trx } from '../../db/database.js';
import { enqueueIndexJobs, type IndexedEntity } from './index-job.repository.js';

/**
 * Asks for records to be (re)indexed, inside the caller's transaction: the job commits with the change
 * it follows, and the worker applies it after commit. Features that change indexed records call this.
 */
export function queueIndexing(trx: Trx, entity: IndexedEntity, ids: number[], options: { unlessQueued?: boolean } = {}): Promise<void> {
  return enqueueIndexJobs(trx, entity, ids, options);
}
