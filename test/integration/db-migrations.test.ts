import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Migrator, NO_MIGRATIONS, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrations } from '../../migrations/index.js';
import { createDb } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { projectRoot } from '../../src/paths.js';
import { createTestContext, type TestContext } from '../support/context.js';

const MIGRATIONS_DIR = path.join(projectRoot, 'migrations');

async function migrationFiles(): Promise<string[]> {
  const files = await readdir(MIGRATIONS_DIR);
  return files
    .filter((f) => f.endsWith('.ts') && f !== 'index.ts')
    .map((f) => f.slice(0, -'.ts'.length))
    .sort();
}

describe('migrations/index.ts', () => {
  it('lists every migration file of the folder, and nothing else', async () => {
    const files = await migrationFiles();
    expect(files.length).toBeGreaterThan(0);
    expect(Object.keys(migrations).sort()).toEqual(files);
  });

  it('lists them in the order of their names (the order they run in)', () => {
    const names = Object.keys(migrations);
    expect(names).toEqual([...names].sort());
  });

  it('names each file with a timestamp prefix', async () => {
    for (const name of await migrationFiles()) expect(name).toMatch(/^\d{8}_\d{4}_[a-z0-9_]+$/);
  });

  it('maps each name to the module of the file with that name', async () => {
    const index = await readFile(path.join(MIGRATIONS_DIR, 'index.ts'), 'utf8');
    for (const name of Object.keys(migrations)) {
      const imported = new RegExp(`import \\* as (\\w+) from '\\./${name}\\.js'`).exec(index);
      expect(imported, `import of ${name}`).not.toBeNull();
      expect(index).toMatch(new RegExp(`'${name}':\\s*${imported![1]}\\b`));
    }
  });

  it('gives every migration an up and a down', () => {
    for (const [name, migration] of Object.entries(migrations)) {
      expect(typeof migration.up, name).toBe('function');
      expect(typeof migration.down, name).toBe('function');
    }
  });

  it('keeps migrations frozen: no migration imports app code', async () => {
    for (const name of await migrationFiles()) {
      const source = await readFile(path.join(MIGRATIONS_DIR, `${name}.ts`), 'utf8');
      expect(source, name).not.toMatch(/from '\.\.\/src\//);
    }
  });
});

describe('migrating a blank database', () => {
  const name = `t_mig_${randomBytes(6).toString('hex')}`;
  const urlOf = (database: string) => inject('pgUrlPattern').replace('{db}', database);
  const admin = () => new pg.Client({ connectionString: urlOf('postgres') });

  beforeAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`create database ${name} template template0`);
    await client.end();
  });
  afterAll(async () => {
    const client = admin();
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  });

  it('runs every migration up, all the way down, and up again', async () => {
    const db = createDb(urlOf(name), { max: 1 });
    const tables = async () =>
      (
        await sql<{ table_name: string }>`select table_name from information_schema.tables
          where table_schema = 'public' and table_name not like 'kysely_%' order by table_name`.execute(db)
      ).rows.map((r) => r.table_name);
    try {
      expect(await migrateToLatest(db)).toEqual(Object.keys(migrations));
      const created = await tables();
      expect(created).toEqual(expect.arrayContaining(['audit_log', 'documents', 'index_jobs', 'organs', 'users']));

      const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
      const down = await migrator.migrateTo(NO_MIGRATIONS);
      expect(down.error).toBeUndefined();
      expect(await tables()).toEqual([]);
      const functions = await sql<{ n: string }>`select count(*) as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public'`.execute(db);
      expect(Number(functions.rows[0]?.n)).toBe(0);

      expect(await migrateToLatest(db)).toEqual(Object.keys(migrations));
      expect(await tables()).toEqual(created);
      // Running again is a no-op.
      expect(await migrateToLatest(db)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});

describe('audit_log is append-only', () => {
  let ctx: TestContext;
  let entryId: string;

  beforeAll(async () => {
    ctx = await createTestContext();
    const row = await ctx.db
      .insertInto('audit_log')
      .values({ user_id: null, ip: '127.0.0.1', action: 'test.write', entity: 'test', entity_id: '1', before: null, after: JSON.stringify({ a: 1 }) })
      .returning('id')
      .executeTakeFirstOrThrow();
    entryId = row.id;
  });
  afterAll(() => ctx?.close());

  const entry = () => ctx.db.selectFrom('audit_log').selectAll().where('id', '=', entryId).executeTakeFirst();

  it('accepts inserts', async () => {
    expect(await entry()).toMatchObject({ action: 'test.write', entity: 'test', entity_id: '1', after: { a: 1 } });
  });

  it('rejects UPDATE, and the row is unchanged', async () => {
    await expect(ctx.db.updateTable('audit_log').set({ action: 'rewritten' }).where('id', '=', entryId).execute()).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`update audit_log set after = '{"a":2}'::jsonb`.execute(ctx.db)).rejects.toThrow(/append-only/);
    expect(await entry()).toMatchObject({ action: 'test.write', after: { a: 1 } });
  });

  it('rejects DELETE, and the row is still there', async () => {
    await expect(ctx.db.deleteFrom('audit_log').where('id', '=', entryId).execute()).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(ctx.db)).rejects.toThrow(/append-only/);
    expect(await entry()).toBeDefined();
  });

  it('rejects TRUNCATE', async () => {
    await expect(sql`truncate audit_log`.execute(ctx.db)).rejects.toThrow(/append-only/);
    expect(await entry()).toBeDefined();
  });

  it('a rejected rewrite inside a transaction rolls back the whole transaction', async () => {
    const before = await ctx.db.selectFrom('organs').select('id').execute();
    await expect(
      ctx.db.transaction().execute(async (trx) => {
        await trx.insertInto('organs').values({ name: `审计回滚机关${randomBytes(3).toString('hex')}` }).execute();
        await trx.updateTable('audit_log').set({ action: 'rewritten' }).where('id', '=', entryId).execute();
      }),
    ).rejects.toThrow(/append-only/);
    expect(await ctx.db.selectFrom('organs').select('id').execute()).toEqual(before);
  });
});
