import { defaultMaxListeners, getMaxListeners, setMaxListeners } from 'node:events';
import { Meilisearch } from 'meilisearch';
import { Agent, request, type Dispatcher } from 'undici';

/**
 * Meilisearch on loopback, over kept-alive connections with uncompressed answers, through undici's
 * `request` rather than `fetch`.
 *
 * Node's fetch asks for gzip by default, and Meilisearch 1.21 then streams the compressed answer
 * in small pieces: on a kept-alive connection any answer over ~900 bytes waited ~44 ms for a delayed
 * ACK (notes/pdf-and-chinese-search.md §3). Asking for `identity` removes the pieces, the wait and
 * the compression work on both sides; measured on the 30,000-document benchmark index (p50 of 80
 * queries, 20 hits with facets and heads): gzip + `Connection: close` 7.1 ms, identity + close
 * 5.6 ms, identity + keep-alive 3.8 ms, with no 44 ms tail even for 200 kB answers.
 *
 * fetch also passes every body and answer through web streams; `request` does not. Measured on the
 * 100,000-document benchmark index (p50 of 110 queries, both requests of a search at once): fetch
 * 5.15 ms, request 4.18 ms; the page of hits alone 3.60 and 2.89 ms; a health check 0.61 and 0.37 ms.
 */
export function createMeiliClient(url: string, apiKey: string | undefined): Meilisearch {
  // Keeps loopback connections open between requests (undici's default 4 s when idle).
  const dispatcher = new Agent();
  return new Meilisearch({
    host: url,
    ...(apiKey ? { apiKey } : {}),
    requestInit: { headers: { 'Accept-Encoding': 'identity' } },
    timeout: 10_000,
    // The client wraps whatever this throws in a MeilisearchRequestError whose cause is the thrown
    // error: an API error's code reads as `error.cause.code` (as with fetch) and its message as
    // `error.cause.message`. Streaming calls (task documents, chat) would need a ReadableStream
    // back; nothing here uses them.
    httpClient: async (input, init) => {
      // meilisearch 0.62 adds a listener to the caller's signal on every request and leaves it until
      // the signal aborts; a task wait polls for minutes with one signal. fetch lifts a signal's
      // default limit to 1500 for such reuse, so Node does not warn of a leak after ten requests; so
      // do we. The listeners go with the signal when the wait ends.
      if (init?.signal && getMaxListeners(init.signal) === defaultMaxListeners) setMaxListeners(1500, init.signal);
      const answer = await request(String(input), {
        method: (init?.method ?? 'GET') as Dispatcher.HttpMethod,
        headers: init?.headers as Iterable<[string, string]> | undefined,
        body: init?.body as string | undefined,
        signal: init?.signal ?? undefined,
        dispatcher,
      });
      const text = await answer.body.text();
      if (answer.statusCode >= 400) throw new MeilisearchAnswerError(answer.statusCode, text);
      return text === '' ? undefined : (JSON.parse(text) as unknown);
    },
  });
}

/** An error answer of the Meilisearch API, with its code (index_not_found …); also one that is not JSON (a proxy's page). */
class MeilisearchAnswerError extends Error {
  readonly code: string | undefined;
  readonly status: number;
  constructor(status: number, text: string) {
    let body: { message?: string; code?: string } = {};
    try {
      body = (JSON.parse(text) ?? {}) as typeof body;
    } catch {
      body = { message: text.slice(0, 200) };
    }
    super(body.message || `Meilisearch answered ${status}`);
    this.name = 'MeilisearchAnswerError';
    this.status = status;
    this.code = body.code;
  }
}
