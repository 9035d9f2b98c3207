/** What a search is asked and what it answers: shared by the service, the API and the results page. */
import type { IsoDate } from '../../shared/dates.js';
import type { DocumentStatus } from '../../shared/document-status.js';
import type { RecordKind } from './record-kind.js';

export type SearchSort = 'relevance' | 'date';
/** Where the words are looked for: titles only, or everything indexed (full text). */
export type SearchScope = 'title' | 'all';

export interface SearchParams {
  q: string;
  kind?: RecordKind[] | undefined;
  status?: DocumentStatus[] | undefined;
  organ_id?: number[] | undefined;
  topic?: string[] | undefined;
  year?: number[] | undefined;
  /** Documents only or interpretations only; both when absent. */
  type?: 'document' | 'interpretation' | undefined;
  scope?: SearchScope | undefined;
  /** Inclusive ranges of 成文日期 and 发布日期. */
  signed_from?: IsoDate | undefined;
  signed_to?: IsoDate | undefined;
  published_from?: IsoDate | undefined;
  published_to?: IsoDate | undefined;
  sort: SearchSort;
  page: number;
  page_size: number;
}

export interface SearchHit {
  type: 'document' | 'interpretation';
  id: number;
  title: string;
  doc_number: string | null;
  status: DocumentStatus | null;
  snippet: string;
  status_label: string | null;
  kind: RecordKind;
  kind_label: string;
  organ_name: string | null;
  published_on: IsoDate | null;
  title_html: string;
  url: string;
}

export interface FacetValue<T> {
  value: T;
  label: string;
  count: number;
}

export interface SearchFacets {
  kind?: FacetValue<string>[];
  status?: FacetValue<DocumentStatus>[];
  organ_id?: FacetValue<number>[];
  topic?: FacetValue<string>[];
  year?: FacetValue<number>[];
}

export interface SearchResult {
  /** 'full': Meilisearch; 'basic': the simpler PostgreSQL search used while Meilisearch is down. */
  mode: 'full' | 'basic';
  total: number;
  page: number;
  page_size: number;
  hits: SearchHit[];
  facets: SearchFacets;
  /** The 文号 the query was read as, when it is one. */
  doc_number: string | null;
}
