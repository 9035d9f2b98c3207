import type { IsoDate } from '../../shared/dates.js';

// Pure rules of a document's text versions: which one is in force on a day, and what a new one must
// satisfy. No I/O, no clock: the day is always a parameter.

export interface VersionDates {
  number: number;
  effective_on: IsoDate;
}

/**
 * The version whose text applies at the end of `day`: the latest to have taken effect by then. Before
 * the first took effect (a document not yet in force) the text as issued is the one there is.
 * `versions` in any order; undefined only when there are none.
 */
export function versionAsOf<V extends VersionDates>(versions: readonly V[], day: IsoDate): V | undefined {
  const ordered = [...versions].sort((a, b) => a.number - b.number);
  let found = ordered[0];
  for (const v of ordered) if (v.effective_on <= day) found = v;
  return found;
}

/** The version after `v`, whose coming ended `v`'s time in force; undefined for the newest. */
export function supersededBy<V extends VersionDates>(versions: readonly V[], v: V): V | undefined {
  return versions.filter((o) => o.number > v.number).sort((a, b) => a.number - b.number)[0];
}

export interface NewVersionFacts {
  documentId: number;
  publishedOn: IsoDate | null;
  repealedOn: IsoDate | null;
  /** The newest existing version's day (the document's own first day when it has none yet). */
  latestEffectiveOn: IsoDate;
  amending: { id: number; published_on: IsoDate | null };
  effectiveOn: IsoDate;
}

/** Why a new version cannot be added as described, field by field (empty: it can). */
export function newVersionErrors(f: NewVersionFacts): Record<string, string> {
  const errors: Record<string, string> = {};
  if (f.publishedOn === null) errors['document'] = '未发布的文件不能添加修改版本';
  if (f.amending.id === f.documentId) errors['amended_by'] = '文件不能修改自身';
  else if (f.amending.published_on === null) errors['amended_by'] = '修改文件尚未发布';
  else if (f.effectiveOn < f.amending.published_on) {
    errors['effective_on'] = `修改后文本的施行日期不能早于修改文件的发布日期（${f.amending.published_on}）`;
  }
  if (!errors['effective_on'] && f.effectiveOn <= f.latestEffectiveOn) {
    errors['effective_on'] = `施行日期应晚于上一版本的施行日期（${f.latestEffectiveOn}）`;
  }
  if (!errors['effective_on'] && f.repealedOn !== null && f.effectiveOn >= f.repealedOn) {
    errors['effective_on'] = `该文件已于 ${f.repealedOn} 废止，不能在此后修改`;
  }
  return errors;
}
