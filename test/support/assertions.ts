import { expect } from 'vitest';
import type { Db } from '../../src/db/database.js';
import type { Database } from '../../src/db/tables.js';

const CJK = /[\u4e00-\u9fff]/;

/**
 * What must never reach a client: a stack trace, a file path or any text of a PostgreSQL error.
 * User input may be echoed in a message, so SQL-looking words alone are not evidence of a leak.
 */
const LEAKS = [
  /\bat (?:async )?[\w.<>]+ \(/, // stack frame "at fn (file:line)"
  /\.(?:ts|js|mjs|cjs):\d+/,
  /node_modules/,
  /syntax error at or near/i,
  /violates (?:unique|foreign key|check|not-null) constraint/i,
  /duplicate key value/i,
  /invalid input syntax for/i,
  /invalid byte sequence/i,
  /relation "[^"]+" does not exist/i,
  /column "[^"]+" (?:of relation|does not exist)/i,
  /SQLSTATE/i,
  /\berror: /i, // a raw driver message
  /audit_log is append-only/,
];

export interface ApiErrorBody {
  error: { code: string; message: string; fields?: Record<string, string> };
}

/**
 * An API error answer: the status, JSON `{error:{code,message,fields?}}` with a Chinese message (and
 * Chinese field messages), and no stack trace or SQL text anywhere in it.
 */
export function expectApiError(
  res: { status: number; body: unknown; text: string; headers: Record<string, string> },
  status: number,
  code?: string | string[],
): ApiErrorBody['error'] {
  expect(res.status, `status for ${res.text.slice(0, 300)}`).toBe(status);
  expect(res.headers['content-type'] ?? '').toMatch(/^application\/json/);
  const body = res.body as ApiErrorBody;
  expect(body).toEqual({ error: expect.any(Object) });
  for (const key of Object.keys(body.error)) expect(['code', 'message', 'fields']).toContain(key);
  expect(typeof body.error.code).toBe('string');
  if (code !== undefined) {
    if (Array.isArray(code)) expect(code).toContain(body.error.code);
    else expect(body.error.code).toBe(code);
  }
  expect(body.error.message).toMatch(CJK);
  if (body.error.fields !== undefined) {
    expect(typeof body.error.fields).toBe('object');
    for (const [field, message] of Object.entries(body.error.fields)) {
      expect(typeof message, `fields.${field}`).toBe('string');
      expect(message, `fields.${field}`).toMatch(CJK);
    }
  }
  expectNoLeak(res.text);
  return body.error;
}

export function expectNoLeak(text: string): void {
  for (const pattern of LEAKS) expect(text, `leak ${pattern}`).not.toMatch(pattern);
}

/** An HTML error page: the status, HTML, a Chinese message, no leak. */
export function expectHtmlError(res: { status: number; text: string; headers: Record<string, string> }, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type'] ?? '').toMatch(/^text\/html/);
  expect(res.text).toMatch(CJK);
  expectNoLeak(res.text);
}

export const WRITE_TABLES = [
  'organs',
  'documents',
  'document_topics',
  'document_co_issuers',
  'document_repeals',
  'document_relations',
  'interpretations',
  'interpretation_documents',
  'stored_files',
  'document_files',
  'audit_log',
  'index_jobs',
  'users',
  'api_tokens',
  'sessions',
  'decisions',
  'fees',
  'expiry_reviews',
  'import_sources',
  'disclosure_requests',
  'appeals',
  'annual_report_texts',
  'annual_report_publications',
  'document_versions',
] as const satisfies readonly (keyof Database)[];

export type RowCounts = Record<(typeof WRITE_TABLES)[number], number>;

/** Row counts of every table a write touches, to prove that a rejected write stored nothing. */
export async function countRows(db: Db): Promise<RowCounts> {
  const counts = {} as RowCounts;
  for (const table of WRITE_TABLES) {
    const row = await db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    counts[table] = Number(row.n);
  }
  return counts;
}

/** Runs `work` and checks that no table changed. */
export async function expectNothingStored(db: Db, work: () => Promise<unknown>): Promise<void> {
  const before = await countRows(db);
  await work();
  expect(await countRows(db)).toEqual(before);
}

/**
 * An upload refused with `status` and a Chinese message matching `message`, the same on its `file`
 * field, with not a row written.
 */
export async function expectFileRefused(db: Db, upload: () => PromiseLike<Parameters<typeof expectApiError>[0]>, status: number, message: RegExp) {
  await expectNothingStored(db, async () => {
    const error = expectApiError(await upload(), status);
    expect(error.message).toMatch(message);
    expect(error.fields?.['file']).toMatch(message);
  });
}

/** Runs `work` and returns how many rows each table gained. */
export async function rowDelta(db: Db, work: () => Promise<unknown>): Promise<RowCounts> {
  const before = await countRows(db);
  await work();
  const after = await countRows(db);
  const delta = {} as RowCounts;
  for (const table of WRITE_TABLES) delta[table] = after[table] - before[table];
  return delta;
}
