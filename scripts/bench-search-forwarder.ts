/**
 * The least any app between the public and Meilisearch can do, as a reference for bench:search: a
 * bare node:http server (no Express, no middleware, no PostgreSQL) that sends the app's two
 * Meilisearch requests for `GET /?q=…` through the app's client and returns the page of hits as
 * Meilisearch answered it. Its latency against the same requests sent straight is the cost, on the
 * machine at hand, of one more HTTP hop through Node; the app's own work is what it adds on top.
 * Started by bench-search.ts with MEILI_URL, MEILI_MASTER_KEY, INDEX_UID, TODAY and PORT.
 */
import http from 'node:http';
import { createMeiliClient } from '../src/platform/meili.js';
import { sendAppRequests } from './bench-search-request.js';

const env = (name: string) => process.env[name] ?? '';
const client = createMeiliClient(env('MEILI_URL'), env('MEILI_MASTER_KEY') || undefined);
const indexUid = env('INDEX_UID');
const today = env('TODAY');

const server = http.createServer((req, res) => {
  const q = new URL(req.url ?? '/', 'http://localhost').searchParams.get('q') ?? '';
  sendAppRequests(client, q, indexUid, today).then(
    ([hits]) => {
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(hits));
    },
    (error: unknown) => {
      res.statusCode = 502;
      res.end(String(error));
    },
  );
});
server.listen(Number(env('PORT')), '127.0.0.1');
process.once('SIGTERM', () => server.close(() => process.exit(0)));
