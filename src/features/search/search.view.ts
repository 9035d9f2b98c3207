import { STATUS_LABELS } from '../../shared/document-status.js';
import { kindLabel, type RecordKind } from './record-kind.js';
import { MAX_RESULTS } from './search-query.js';
import type { SearchParams, SearchResult } from './search-result.js';

type ListKey = 'kind' | 'status' | 'organ_id' | 'topic' | 'year';
const LIST_KEYS: ListKey[] = ['kind', 'status', 'organ_id', 'topic', 'year'];

const FACET_TITLES: Record<ListKey, string> = {
  status: '效力状态',
  kind: '文件类别',
  organ_id: '发文机关',
  topic: '主题分类',
  year: '年份',
};

/** The one-valued filters, with how the page names each value. */
type SingleKey = 'type' | 'scope' | 'signed_from' | 'signed_to' | 'published_from' | 'published_to';
const SINGLE_KEYS: SingleKey[] = ['type', 'scope', 'signed_from', 'signed_to', 'published_from', 'published_to'];
const SINGLE_LABELS: Record<SingleKey, (value: string) => string> = {
  type: (v) => (v === 'document' ? '范围：仅文件（不含政策解读）' : '范围：仅政策解读'),
  scope: (v) => (v === 'title' ? '检索位置：标题' : '检索位置：全文'),
  signed_from: (v) => `成文日期不早于 ${v}`,
  signed_to: (v) => `成文日期不晚于 ${v}`,
  published_from: (v) => `发布日期不早于 ${v}`,
  published_to: (v) => `发布日期不晚于 ${v}`,
};

export interface LinkItem {
  label: string;
  href: string;
  current: boolean;
  count?: number;
}

/** The query string of a results page: the same parameters the API takes, empty ones left out. */
export function searchHref(params: SearchParams, change: Partial<SearchParams> = {}): string {
  const next = { ...params, page: 1, ...change };
  const query = new URLSearchParams();
  if (next.q) query.set('q', next.q);
  for (const key of LIST_KEYS) for (const value of next[key] ?? []) query.append(key, String(value));
  for (const key of SINGLE_KEYS) if (next[key]) query.set(key, String(next[key]));
  if (next.sort !== 'relevance') query.set('sort', next.sort);
  if (next.page > 1) query.set('page', String(next.page));
  if (next.page_size !== 20) query.set('page_size', String(next.page_size));
  const s = query.toString();
  return s ? `/search?${s}` : '/search';
}

function toggled<T>(values: T[] | undefined, value: T): T[] {
  const list = values ?? [];
  return list.includes(value) ? list.filter((v) => v !== value) : [...list, value];
}

/**
 * Everything the results page shows, computed here so the template only prints: facets as links that
 * add or remove one filter, the active filters with their remove links, sort links, page links.
 */
export function searchPageModel(params: SearchParams, result: SearchResult, organNames: Map<number, string>) {
  const facetGroups = LIST_KEYS.flatMap((key) => {
    const values = (result.facets[key] ?? []) as { value: string | number; label: string; count: number }[];
    if (values.length === 0) return [];
    const items = values.map((v): LinkItem => {
      const selected = (params[key] as (string | number)[] | undefined)?.includes(v.value) ?? false;
      return {
        label: v.label,
        count: v.count,
        current: selected,
        href: searchHref(params, { [key]: toggled(params[key] as (string | number)[] | undefined, v.value) }),
      };
    });
    return [{ key, title: FACET_TITLES[key], items }];
  });

  const labelOf = (key: ListKey, value: string | number): string => {
    switch (key) {
      case 'kind':
        return kindLabel(value as RecordKind);
      case 'status':
        return STATUS_LABELS[value as keyof typeof STATUS_LABELS];
      case 'organ_id':
        return organNames.get(Number(value)) ?? `机关 ${value}`;
      case 'year':
        return `${value}年`;
      case 'topic':
        return String(value);
    }
  };
  const active = [
    ...LIST_KEYS.flatMap((key) =>
      ((params[key] ?? []) as (string | number)[]).map((value) => ({
        label: `${FACET_TITLES[key]}：${labelOf(key, value)}`,
        href: searchHref(params, { [key]: toggled(params[key] as (string | number)[] | undefined, value) }),
      })),
    ),
    ...SINGLE_KEYS.flatMap((key) => {
      const value = params[key];
      return value ? [{ label: SINGLE_LABELS[key](value), href: searchHref(params, { [key]: undefined }) }] : [];
    }),
  ];

  const lastPage = Math.max(1, Math.min(Math.ceil(result.total / params.page_size), Math.floor(MAX_RESULTS / params.page_size)));
  const around = [...new Set([1, params.page - 2, params.page - 1, params.page, params.page + 1, params.page + 2, lastPage])]
    .filter((n) => n >= 1 && n <= lastPage)
    .sort((a, b) => a - b);
  const pages: (LinkItem | null)[] = [];
  around.forEach((n, i) => {
    if (i > 0 && n - around[i - 1]! > 1) pages.push(null);
    pages.push({ label: String(n), href: searchHref(params, { page: n }), current: n === params.page });
  });

  return {
    facetGroups,
    active,
    clearHref: searchHref({ q: params.q, sort: params.sort, page: 1, page_size: params.page_size }),
    /** Whether the advanced form starts open: one of its fields is in use. */
    advancedOpen: SINGLE_KEYS.some((key) => params[key] !== undefined),
    sortLinks: [
      { label: '按相关度', href: searchHref(params, { sort: 'relevance' }), current: params.sort === 'relevance' },
      { label: '按发布日期', href: searchHref(params, { sort: 'date' }), current: params.sort === 'date' },
    ],
    pagination: {
      pages,
      lastPage,
      prev: params.page > 1 ? searchHref(params, { page: params.page - 1 }) : null,
      next: params.page < lastPage ? searchHref(params, { page: params.page + 1 }) : null,
      truncated: result.total > MAX_RESULTS,
    },
    firstShown: result.total === 0 ? 0 : (params.page - 1) * params.page_size + 1,
    lastShown: (params.page - 1) * params.page_size + result.hits.length,
  };
}
