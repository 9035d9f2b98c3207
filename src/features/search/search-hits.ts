import type { Db } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';
import { STATUS_LABELS, type DocumentStatus } from '../../shared/document-status.js';
import { kindLabel, type RecordKind } from './record-kind.js';
import { HEAD_CHARS, isWholeText } from './search-index.js';
import { hitDetails } from './search.repository.js';
import type { SearchHit } from './search-result.js';
import { SNIPPET_CHARS, SNIPPET_LEAD, buildSnippet, markTerms, matchedTerms, snippetCandidates, snippetFromHead } from './search-text.js';

/** What a hit shows besides its title and snippet, from an index record or, in the simple search, a PostgreSQL row. */
export interface HitSource {
  type: 'document' | 'interpretation';
  id: number;
  doc_number: string | null;
  kind: RecordKind;
  organ_name: string | null;
  published_on: IsoDate | null;
  /** As of today; null for an interpretation. */
  status: DocumentStatus | null;
  head?: string | undefined;
}

/**
 * Hits with their titles and snippets: the current titles read from PostgreSQL in one query (with
 * `publicBy`, only of those published by then, see hitDetails), each snippet cut from the head the
 * index returned, or in that query for a hit whose words are not in its head.
 */
export async function hitsOf(db: Db, sources: HitSource[], words: string[], publicBy: IsoDate | null): Promise<SearchHit[]> {
  const window = { words, candidates: snippetCandidates(words), width: SNIPPET_CHARS, lead: SNIPPET_LEAD, headLimit: HEAD_CHARS };
  const fromHead = sources.map((hit) =>
    hit.head === undefined
      ? null
      : (snippetFromHead(hit.head, window.candidates, window) ?? (isWholeText(hit.head) ? snippetFromHead(hit.head, [], window) : null)),
  );
  const idsOf = (type: HitSource['type'], withoutSnippet = false) =>
    sources.flatMap((hit, i) => (hit.type === type && !(withoutSnippet && fromHead[i]) ? [hit.id] : []));
  const details = await hitDetails(
    db,
    { documents: idsOf('document'), interpretations: idsOf('interpretation') },
    { documents: idsOf('document', true), interpretations: idsOf('interpretation', true) },
    window,
    publicBy,
  );
  return sources.flatMap((hit, i): SearchHit[] => {
    const found = details.get(`${hit.type}:${hit.id}`);
    if (!found) return [];
    const snippet = fromHead[i] ?? found.snippet;
    return [
      {
        type: hit.type,
        id: hit.id,
        title: found.title,
        doc_number: hit.doc_number,
        status: hit.status,
        snippet: snippet ? buildSnippet(snippet, words) : '',
        status_label: hit.status ? STATUS_LABELS[hit.status] : null,
        kind: hit.kind,
        kind_label: kindLabel(hit.kind),
        organ_name: hit.organ_name,
        published_on: hit.published_on,
        title_html: markTerms(found.title, matchedTerms(found.title, words)),
        url: `/${hit.type === 'document' ? 'documents' : 'interpretations'}/${hit.id}`,
      },
    ];
  });
}
