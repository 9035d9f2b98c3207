import { Meilisearch } from 'meilisearch';

/**
 * Node's fetch keeps connections alive, and Meilisearch 1.21 on loopback then adds ~44 ms to every
 * answer over ~900 bytes (Nagle/delayed ACK, measured in notes/pdf-and-chinese-search.md §3).
 * A fresh connection per request costs ~1 ms on loopback.
 */
export function createMeiliClient(url: string, apiKey: string | undefined): Meilisearch {
  return new Meilisearch({
    host: url,
    ...(apiKey ? { apiKey } : {}),
    requestInit: { headers: { Connection: 'close' } },
    timeout: 10_000,
  });
}
