import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Services } from '../../src/services.js';

/** A Latin word Meilisearch keeps whole and no other record contains (letters only: digits would split it). */
export const uniqueWord = () => `zq${randomBytes(5).toString('hex').replace(/\d/g, (d) => 'abcdefghij'[Number(d)]!)}`;

/** Four random Han characters: a Chinese word no dictionary knows, which the segmentation cuts apart. */
export const uniqueHanWord = () => Array.from({ length: 4 }, () => String.fromCodePoint(0x5000 + Math.floor(Math.random() * 0x3000))).join('');

/** What the public search finds for `q` in Meilisearch (not the PostgreSQL fallback), as sorted `type:id` keys. */
export async function foundKeys(services: Services, q: string): Promise<string[]> {
  const result = await services.search.search(null, { q, sort: 'relevance', page: 1, page_size: 100 });
  expect(result.mode).toBe('full');
  return result.hits.map((h) => `${h.type}:${h.id}`).sort();
}
