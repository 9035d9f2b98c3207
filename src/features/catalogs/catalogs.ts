import type { IsoDate } from '../../shared/dates.js';
import { KIND_LABELS, type DocumentKind } from '../../shared/document-status.js';

// The published 目录's words, as counties title them. Pure: no I/O, no clock.

/** 2026-12-31 → 2026年12月31日 (no leading zeros, as in official titles). */
export function chineseDay(day: IsoDate): string {
  const [y, m, d] = day.split('-').map(Number);
  return `${y}年${m}月${d}日`;
}

/** The place a 目录 is titled by: 示例县人民政府 → 示例县; an organ's short name when it has one. */
export function placeOf(organ: { name: string; short_name: string | null } | null): string {
  if (!organ) return '';
  return organ.short_name ?? organ.name.replace(/人民政府$/u, '');
}

const kindWords = (kinds: readonly DocumentKind[]) => kinds.map((k) => KIND_LABELS[k]).join('和');

/** 示例县现行有效行政规范性文件目录（截至2026年12月31日） */
export function inForceCatalogTitle(place: string, kinds: readonly DocumentKind[], day: IsoDate): string {
  return `${place}现行有效${kindWords(kinds)}目录（截至${chineseDay(day)}）`;
}

/** 示例县已废止和失效行政规范性文件目录（2026年1月1日至2026年12月31日） */
export function endedCatalogTitle(place: string, kinds: readonly DocumentKind[], from: IsoDate, to: IsoDate): string {
  return `${place}已废止和失效${kindWords(kinds)}目录（${chineseDay(from)}至${chineseDay(to)}）`;
}

/** 修改情况 of a document in force: the latest amendment in force, or nothing. */
export function amendmentNote(amendedBy: string | null): string {
  return amendedBy ? `经${amendedBy}修改` : '';
}

/** Why a document left the 目录: its repeal (by which document, why) or the end of its term. */
export function endReason(e: { ended_by_repeal: boolean; repealed_by_doc_number: string | null; repeal_reason: string | null }): string {
  if (!e.ended_by_repeal) return '有效期届满失效';
  const by = e.repealed_by_doc_number ? `由${e.repealed_by_doc_number}废止` : '废止';
  return e.repeal_reason ? `${by}（${e.repeal_reason}）` : by;
}
