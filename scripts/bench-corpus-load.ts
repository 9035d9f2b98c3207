/**
 * `npm run bench:corpus-load`: loads the shared corpus through `POST /api/v1/documents`, as a
 * catalog would be entered, with the metadata each record carries, and prints JSON: how many records
 * were stored, refused (by status and message) and warned (by warning code).
 *
 * Starts the app (embedded PostgreSQL and Meilisearch) in a temporary DATA_DIR as a child process;
 * organs are created through `POST /api/v1/organs` as records name them. The records map to fields
 * as `npm run import` maps them (readCorpusRecord). Options: --limit 1500 (0: all 4,985)
 * --clients 4 --organ 未注明制定机关 (the organ of records that name none).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { benchApp } from './bench-app.js';
import { readCorpusRecord, type CatalogRow } from '../src/features/intake/catalog-row.js';
import { corpusStream } from '../test/support/upload-fixtures.js';

const { values } = parseArgs({
  options: { limit: { type: 'string', default: '1500' }, clients: { type: 'string', default: '4' }, organ: { type: 'string', default: '未注明制定机关' } },
});
const LIMIT = Number(values.limit) || Infinity;
const CLIENTS = Math.max(1, Math.min(Number(values.clients), 16));
const ADMIN_PASSWORD = 'bench-corpus-admin';

const app = await benchApp('corpus-load', ADMIN_PASSWORD);
const { api } = app;

/** Organ ids by name, created on first use (one creation per name even with clients racing). */
function organDirectory(token: string) {
  const ids = new Map<string, Promise<number>>();
  return (name: string) => {
    let id = ids.get(name);
    if (!id) {
      id = api('POST', '/api/v1/organs', token, { name, doc_prefixes: [] }).then((res) => {
        if (res.status !== 201) throw new Error(`organ ${name}: ${res.status} ${JSON.stringify(res.body)}`);
        return (res.body as { id: number }).id;
      });
      ids.set(name, id);
    }
    return id;
  };
}

async function bodyOf(row: CatalogRow, organId: (name: string) => Promise<number>) {
  return {
    kind: row.kind,
    title: row.title,
    organ_id: await organId(row.organ!),
    co_organ_ids: await Promise.all(row.co_organs.filter((o) => o !== row.organ).map(organId)),
    doc_number: row.doc_number,
    published_on: row.published_on,
    effective_on: row.effective_on,
    body: row.body ?? '',
  };
}

const count = (tally: Record<string, number>, key: string) => (tally[key] = (tally[key] ?? 0) + 1);

const result: Record<string, unknown> = { limit: Number.isFinite(LIMIT) ? LIMIT : 'all', clients: CLIENTS, load_average_at_start: os.loadavg()[0] };
try {
  await app.start(120_000);
  const token = await app.signIn();
  const organId = organDirectory(token);

  const tally = { records: 0, stored: 0, stored_with_warnings: 0 };
  const notRead: Record<string, number> = {};
  const refused: Record<string, number> = {};
  const warned: Record<string, number> = {};
  const records = corpusStream();
  let taken = 0;
  const started = performance.now();
  async function client() {
    for (;;) {
      if (taken >= LIMIT) return;
      const next = await records.next();
      if (next.done) return;
      taken++;
      tally.records++;
      const read = readCorpusRecord(next.value, { organ: values.organ ?? null });
      if (!read.ok) {
        for (const e of read.errors) count(notRead, e);
        continue;
      }
      const res = await api('POST', '/api/v1/documents', token, await bodyOf(read.row, organId));
      if (res.status === 201) {
        tally.stored++;
        const warnings = (res.body?.['warnings'] ?? []) as { code: string }[];
        if (warnings.length) tally.stored_with_warnings++;
        for (const w of warnings) count(warned, w.code);
      } else {
        const fields = Object.values((res.body?.['error'] as { fields?: Record<string, string> } | undefined)?.fields ?? {});
        count(refused, `${res.status} ${fields.join('；') || JSON.stringify(res.body?.['error'] ?? res.body)}`);
      }
    }
  }
  await Promise.all(Array.from({ length: CLIENTS }, client));
  const seconds = (performance.now() - started) / 1000;
  Object.assign(result, { ...tally, refused_total: tally.records - tally.stored, not_read_by_the_loader: notRead, refused_by_reason: refused, warnings_by_code: warned, seconds: Math.round(seconds), documents_per_s: Math.round((tally.records / seconds) * 10) / 10 });
} finally {
  await app.close();
}
console.log(JSON.stringify(result, null, 2));
