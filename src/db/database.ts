import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './tables.js';

export type { Database };
export type Db = Kysely<Database>;
export type Trx = Transaction<Database>;

// Calendar dates stay strings: a JS Date would shift them by the server's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export function createDb(connectionString: string, options: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 10, application_name: 'gfwj' });
  // An idle client whose server goes away (a restart, shutdown after pool.end()) emits 'error';
  // unhandled, that event would kill the process. The next query reconnects or fails on its own.
  pool.on('error', () => undefined);
  // A client lent out between two queries has no pool listener: if its server dies then (a killed
  // embedded PostgreSQL, before the supervisor restarts it), its 'error' event would kill the process
  // too. The query in flight still fails on its own, and the pool drops the broken client on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}
