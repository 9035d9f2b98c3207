import type { Db } from '../../db/database.js';
import { DOCUMENT_STATUSES, STATUS_LABELS, type DocumentStatus } from '../../shared/document-status.js';
import { findOrgansByIds, listOrgans } from '../catalog/organ.service.js';
import { kindLabel, type RecordKind } from './record-kind.js';
import type { SearchFacets } from './search-result.js';

const ORGAN_NAMES_TTL_MS = 60_000;

/** Counts per value per attribute, as Meilisearch's facetDistribution. */
export type Distribution = Record<string, Record<string, number>>;

export type OrganNames = (ids: number[]) => Promise<Map<number, string>>;

export function addCounts(target: Distribution, attribute: string, values: (string | number | null)[]) {
  const counts = (target[attribute] ??= {});
  for (const v of values) if (v !== null) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
}

export const sumOf = (counts: Record<string, number> | undefined) => Object.values(counts ?? {}).reduce((a, b) => a + b, 0);

/**
 * Organ names by id, for facet labels: all read once a minute, so a search does not wait on one
 * more query for them; ids the cache does not know yet (an organ made since, perhaps by another
 * process) are looked up by key and added, so a new organ is labelled in its first search.
 */
export function cachedOrganNames(db: Db): OrganNames {
  let cache: { at: number; names: Promise<Map<number, string>> } | undefined;
  return async (ids) => {
    if (!cache || Date.now() - cache.at > ORGAN_NAMES_TTL_MS) {
      const names = listOrgans(db).then((organs) => new Map(organs.map((o) => [o.id, o.name])));
      cache = { at: Date.now(), names };
      names.catch(() => (cache = undefined));
    }
    const names = await cache.names;
    const unknown = ids.filter((id) => !names.has(id));
    if (unknown.length > 0) for (const organ of await findOrgansByIds(db, unknown)) names.set(organ.id, organ.name);
    return names;
  };
}

export async function facetsFrom(
  organNames: OrganNames,
  distribution: Distribution,
  statusCounts: Map<DocumentStatus, number>,
): Promise<SearchFacets> {
  const entries = (attribute: string) =>
    Object.entries(distribution[attribute] ?? {})
      .filter(([, count]) => count > 0)
      .sort((a, b) => b[1] - a[1]);
  const organCounts = entries('organ_ids').slice(0, 50);
  const names = await organNames(organCounts.map(([id]) => Number(id)));
  return {
    kind: entries('kind').map(([value, count]) => ({ value, label: kindLabel(value as RecordKind), count })),
    status: DOCUMENT_STATUSES.flatMap((s) => {
      const count = statusCounts.get(s) ?? 0;
      return count > 0 ? [{ value: s, label: STATUS_LABELS[s], count }] : [];
    }),
    organ_id: organCounts.flatMap(([id, count]) => {
      const name = names.get(Number(id));
      return name === undefined ? [] : [{ value: Number(id), label: name, count }];
    }),
    topic: entries('topics').map(([value, count]) => ({ value, label: value, count })),
    year: entries('year')
      .map(([value, count]) => ({ value: Number(value), label: `${value}年`, count }))
      .sort((a, b) => b.value - a.value),
  };
}
