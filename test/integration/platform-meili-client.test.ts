import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMeiliClient } from '../../src/platform/meili.js';

/**
 * The Meilisearch client's error answers, against an HTTP server that answers as Meilisearch or a
 * proxy in front of it would (the real Meilisearch is covered by every search test).
 */
describe('Meilisearch client', () => {
  let server: Server;
  let url: string;
  const answers: Record<string, { status: number; type: string; body: string }> = {
    '/indexes/missing': {
      status: 404,
      type: 'application/json',
      body: JSON.stringify({ message: 'Index `missing` not found.', code: 'index_not_found', type: 'invalid_request' }),
    },
    '/health': { status: 502, type: 'text/html', body: '<html><body>Bad Gateway</body></html>' },
    '/version': { status: 500, type: 'application/json', body: 'null' },
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const answer = answers[req.url ?? ''] ?? { status: 200, type: 'application/json', body: '{}' };
      res.writeHead(answer.status, { 'Content-Type': answer.type }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const failure = (work: Promise<unknown>) =>
    work.then(
      () => expect.fail('expected the request to fail'),
      (error: unknown) => error as Error & { cause?: { code?: string; status?: number; message?: string } },
    );

  it('gives an API error its code and message, as the code reading index_not_found expects', async () => {
    const error = await failure(createMeiliClient(url, 'key').getIndex('missing'));
    expect(error.name).toBe('MeilisearchRequestError');
    expect(error.cause).toMatchObject({ code: 'index_not_found', status: 404, message: 'Index `missing` not found.' });
  });

  it('keeps the status of an answer that is not JSON, or not an object', async () => {
    const page = await failure(createMeiliClient(url, undefined).health());
    expect(page.cause).toMatchObject({ status: 502, message: '<html><body>Bad Gateway</body></html>' });
    expect(page.cause?.code).toBeUndefined();
    const empty = await failure(createMeiliClient(url, undefined).getVersion());
    expect(empty.cause).toMatchObject({ status: 500, message: 'Meilisearch answered 500' });
  });
});
