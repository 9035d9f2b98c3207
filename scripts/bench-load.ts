/**
 * `npm run bench:load`: load and fault test against the real app on loopback, printing JSON.
 *
 * 1. Starts the app (embedded PostgreSQL and Meilisearch) in a temporary DATA_DIR as a child process.
 * 2. Seeds documents (some with original files) through the API.
 * 3. Load: N concurrent clients mixing searches, document pages and downloads for a bounded time.
 * 4. Faults: a stream of writes, `kill -9` of the app in the middle, restart; then every write that
 *    answered 2xx must be there, complete, and nothing half-written.
 * Options: --clients 200 --seconds 60 --docs 300
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { isProcessAlive, waitFor } from '../src/platform/processes.js';
import { benchApp } from './bench-app.js';

const { values } = parseArgs({
  options: { clients: { type: 'string', default: '200' }, seconds: { type: 'string', default: '60' }, docs: { type: 'string', default: '300' } },
});
const CLIENTS = Number(values.clients);
const SECONDS = Math.min(Number(values.seconds), 120);
const DOCS = Number(values.docs);
const ADMIN_PASSWORD = 'bench-admin-password';

const app = await benchApp('load', ADMIN_PASSWORD);
const { api, base } = app;

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

const result: Record<string, unknown> = { clients: CLIENTS, seconds: SECONDS, docs: DOCS };
try {
  result['startup_ms'] = await app.start();
  const token = await app.signIn();
  const organ = (await api('POST', '/api/v1/organs', token, { name: '压测县人民政府', doc_prefixes: ['压政发'] })).body as { id: number };

  // Seed, some documents with an original file.
  const ids: number[] = [];
  const words = ['生态环境', '财政信息', '安全生产', '食品药品', '营商环境', '行政规范性文件', '优化', '管理办法'];
  for (let i = 0; i < DOCS; i++) {
    const w = words[i % words.length]!;
    const body = { kind: 'normative', title: `关于${w}的通知（第${i}号）`, doc_number: `压政发〔2024〕${i + 1}号`, organ_id: organ.id, signed_on: '2024-01-02', published_on: '2024-01-05', body: `${w}。`.repeat(200) };
    let res: Response;
    if (i % 10 === 0) {
      const form = new FormData();
      form.set('metadata', JSON.stringify(body));
      // A 20 kB text original: the download path is the same for every type, and text needs no extraction pool warm-up.
      form.set('file', new Blob([`${w}原件第${i}号。`.repeat(1500)], { type: 'text/plain' }), `原件${i}.txt`);
      res = await fetch(`${base}/api/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    } else {
      res = await fetch(`${base}/api/v1/documents`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    }
    if (res.status !== 201) throw new Error(`seed failed: ${res.status} ${await res.text()}`);
    ids.push(((await res.json()) as { id: number }).id);
  }
  const withFile = ids.filter((_, i) => i % 10 === 0);

  // Load.
  const rssBefore = await rssOf(app.process()!.pid!);
  const latencies: Record<string, number[]> = { search: [], page: [], download: [] };
  const statuses: Record<string, number> = {};
  let errors = 0;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => void rssOf(app.process()!.pid!).then((r) => (rssPeak = Math.max(rssPeak, r))), 500);
  const deadline = Date.now() + SECONDS * 1000;
  const searchUrl = (i: number) => {
    const q = encodeURIComponent(words[i % words.length]!);
    return i % 2 ? `/api/v1/search?q=${q}` : `/api/v1/documents?status=in_force&page=${(i % 5) + 1}`;
  };
  let n = 0;
  async function client() {
    while (Date.now() < deadline) {
      const i = n++;
      const kind = (['search', 'page', 'download'] as const)[i % 3]!;
      const url =
        kind === 'search' ? searchUrl(i) : kind === 'page' ? `/documents/${ids[i % ids.length]}` : `/api/v1/documents/${withFile[i % withFile.length]}/file`;
      const started = performance.now();
      try {
        const res = await fetch(base + url, { signal: AbortSignal.timeout(30_000) });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status >= 500) errors++;
      } catch {
        errors++;
      }
      latencies[kind]!.push(performance.now() - started);
    }
  }
  const loadStarted = Date.now();
  await Promise.all(Array.from({ length: CLIENTS }, client));
  clearInterval(sampler);
  const elapsed = (Date.now() - loadStarted) / 1000;
  const all = Object.values(latencies).flat().sort((a, b) => a - b);
  const summary = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { count: s.length, p50_ms: +percentile(s, 50).toFixed(1), p95_ms: +percentile(s, 95).toFixed(1), p99_ms: +percentile(s, 99).toFixed(1) };
  };
  result['load'] = {
    requests: all.length,
    throughput_rps: +(all.length / elapsed).toFixed(1),
    ...summary(all),
    by_kind: Object.fromEntries(Object.entries(latencies).map(([k, v]) => [k, summary(v)])),
    statuses,
    errors_or_5xx: errors,
    app_rss_mb_before: +(rssBefore / 1048576).toFixed(1),
    app_rss_mb_peak: +(rssPeak / 1048576).toFixed(1),
    app_rss_mb_after: +((await rssOf(app.process()!.pid!)) / 1048576).toFixed(1),
  };

  // Faults: writes in flight, then kill -9.
  const acknowledged: { id: number; title: string }[] = [];
  let attempted = 0;
  let killed = false;
  async function writer(w: number) {
    for (let i = 0; !killed; i++) {
      const title = `断电测试文件 ${w}-${i}`;
      attempted++;
      try {
        const res = await api('POST', '/api/v1/documents', token, {
          kind: 'normative', title, organ_id: organ.id, published_on: '2024-02-01', topics: ['综合政务'], body: '内容'.repeat(500),
        });
        if (res.status === 201) acknowledged.push({ id: (res.body as { id: number }).id, title });
      } catch {
        // the connection died with the server: not acknowledged, may or may not be stored
      }
    }
  }
  const writers = Array.from({ length: 8 }, (_, w) => writer(w));
  await new Promise((r) => setTimeout(r, 3000));
  const pid = app.process()!.pid!;
  process.kill(pid, 'SIGKILL');
  killed = true;
  await Promise.all(writers);
  await waitFor(() => !isProcessAlive(pid), 10_000, 'app did not die');
  const restartMs = await app.start();
  const token2 = await app.signIn();
  let missing = 0;
  let incomplete = 0;
  for (const w of acknowledged) {
    const res = await api('GET', `/api/v1/documents/${w.id}`, token2);
    if (res.status !== 200) missing++;
    else if (res.body?.['title'] !== w.title || (res.body?.['topics'] as string[]).length !== 1) incomplete++;
  }
  // Half-written = a document without its audit row or its topic (all are written in one transaction).
  const orphans = await api('GET', '/api/v1/audit?action=document.create&page_size=1', token2);
  const docs = await api('GET', '/api/v1/documents?page_size=1', token2);
  result['fault'] = {
    writes_attempted: attempted,
    writes_acknowledged: acknowledged.length,
    acknowledged_missing_after_restart: missing,
    acknowledged_incomplete: incomplete,
    documents_total: docs.body?.['total'],
    document_create_audit_rows: orphans.body?.['total'],
    restart_ms: restartMs,
  };
} finally {
  await app.close();
}
process.stdout.write(JSON.stringify(result, null, 2) + '\n');
