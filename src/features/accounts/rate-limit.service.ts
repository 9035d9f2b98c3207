import type { Store } from 'express-rate-limit';
import type { Db } from '../../db/database.js';
import { decrementCounter, deleteCounter, deleteExpiredCounters, incrementCounter } from './rate-limit.repository.js';

const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Request budgets counted in PostgreSQL, so every app process on one database enforces one limit
 * (in memory, two processes behind one proxy would allow twice the attempts).
 */
export function createRateLimitService({ db }: { db: Db }) {
  let lastSweep = Date.now();
  const sweepNowAndThen = () => {
    if (Date.now() - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = Date.now();
    void deleteExpiredCounters(db).catch(() => undefined);
  };
  return {
    /** An express-rate-limit store whose keys carry `prefix`, so separate limits never share counts. */
    store(prefix: string): Store {
      let windowMs = 60_000;
      return {
        prefix,
        localKeys: false,
        init(options) {
          windowMs = options.windowMs;
        },
        async increment(key) {
          sweepNowAndThen();
          const row = await incrementCounter(db, prefix + key, windowMs);
          return { totalHits: row.hits, resetTime: new Date(row.resets_at) };
        },
        decrement: (key) => decrementCounter(db, prefix + key),
        resetKey: (key) => deleteCounter(db, prefix + key),
      };
    },
  };
}

export type RateLimitService = ReturnType<typeof createRateLimitService>;
