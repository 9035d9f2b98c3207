import { yearOf, type IsoDate } from '../../shared/dates.js';
import type { DocNumber } from '../../shared/doc-number.js';
import type { DocumentKind } from '../../shared/document-status.js';

// What publishing a rule or normative document asks of it (pure: the day is a parameter). A missing
// required field stops the publication; what is suspicious but happens in real catalogs (an amended
// rule keeps its original 令号, so its 文号 year differs from its date) is a warning the staff confirm.

export interface PublishingWarning {
  code: WarningCode;
  message: string;
}

export type WarningCode =
  | 'draft_wording'
  | 'blank_date'
  | 'no_expiry'
  | 'doc_number_year'
  | 'doc_number_prefix'
  | 'doc_number_shared'
  | 'missing_fields';

export interface PublishingFacts {
  kind: DocumentKind;
  title: string;
  doc_number: DocNumber | null;
  /** The lead organ's name, null when there is none (or it does not exist). */
  organ_name: string | null;
  organ_prefixes: readonly string[];
  signed_on: IsoDate | null;
  published_on: IsoDate | null;
  expires_on: IsoDate | null;
  body: string;
}

/** The kinds whose publication the checks govern; laws and the rest are kept for reference. */
const CHECKED_KINDS: ReadonlySet<DocumentKind> = new Set(['rule', 'normative']);

const DRAFT_WORDS = /征求意见稿|草案|送审稿|讨论稿/u;
// 自 年 月 日起施行, 自____年__月__日: a date left for someone to fill in.
const BLANK_DATE = /[自于]\s*[_＿\s]*年\s*[_＿\s]*月\s*[_＿\s]*日/u;

/** Whether the document is public on `today` after this change (its published_on on or before today). */
export const isPublishedBy = (publishedOn: IsoDate | null, today: IsoDate) => publishedOn !== null && publishedOn <= today;

/** The required fields a published rule or normative document lacks, field → message. */
export function missingForPublication(facts: PublishingFacts): Record<string, string> {
  if (!CHECKED_KINDS.has(facts.kind)) return {};
  const missing: Record<string, string> = {};
  if (!facts.title.trim()) missing['title'] = '发布前须填写标题';
  if (!facts.doc_number) missing['doc_number'] = facts.kind === 'rule' ? '发布前须填写令号' : '发布前须填写文号';
  if (!facts.signed_on) missing['signed_on'] = '发布前须填写成文日期';
  if (!facts.organ_name) missing['organ_id'] = '发布前须选择发文机关';
  return missing;
}

/** What a person should look at again before the public sees the document; none for a draft. */
export function publishingWarnings(facts: PublishingFacts, today: IsoDate): PublishingWarning[] {
  if (!isPublishedBy(facts.published_on, today)) return [];
  const warnings: PublishingWarning[] = [];
  const checked = CHECKED_KINDS.has(facts.kind);
  const draftWord = checked ? (DRAFT_WORDS.exec(facts.title) ?? DRAFT_WORDS.exec(facts.body)) : null;
  if (draftWord) {
    warnings.push({ code: 'draft_wording', message: `标题或正文含“${draftWord[0]}”，可能仍是草稿` });
  }
  if (checked && BLANK_DATE.test(facts.body)) {
    warnings.push({ code: 'blank_date', message: '正文中有未填写的日期（如“自 年 月 日起施行”）' });
  }
  if (facts.kind === 'normative' && !facts.expires_on) {
    warnings.push({ code: 'no_expiry', message: '行政规范性文件未填写有效期至' });
  }
  warnings.push(...docNumberWarnings(facts));
  return warnings;
}

function docNumberWarnings({ doc_number: n, signed_on, organ_name, organ_prefixes }: PublishingFacts): PublishingWarning[] {
  if (!n) return [];
  const warnings: PublishingWarning[] = [];
  if (n.year !== null && signed_on && n.year !== yearOf(signed_on)) {
    warnings.push({
      code: 'doc_number_year',
      message: `文号年份（${n.year}）与成文日期年份（${yearOf(signed_on)}）不一致；修改后重新公布的规章沿用原令号时属正常`,
    });
  }
  if (organ_name && organ_prefixes.length > 0 && !organ_prefixes.includes(n.prefix)) {
    warnings.push({
      code: 'doc_number_prefix',
      message: `文号字“${n.prefix}”不在${organ_name}登记的文号字（${organ_prefixes.join('、')}）中`,
    });
  }
  return warnings;
}

/** A record of an earlier publication that lacks required fields: kept, with what is missing named. */
export function missingFieldsWarning(missing: Record<string, string>, labels: Record<string, string>): PublishingWarning[] {
  const fields = Object.keys(missing);
  if (fields.length === 0) return [];
  return [{ code: 'missing_fields', message: `缺少${fields.map((f) => labels[f] ?? f).join('、')}` }];
}
