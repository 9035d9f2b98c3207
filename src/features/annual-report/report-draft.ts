/**
 * The first draft of sections 一, 五 and 六: what the system knows (documents issued, interpretations
 * published, requests
 * received and concluded, fees), in the wording of published reports, then what the compiler wrote
 * last year where it does not repeat those figures. Pure.
 */
import type { SectionTexts } from './annual-report.repository.js';

export interface DraftFacts {
  organ: string;
  year: number;
  rules_issued: number;
  normative_issued: number;
  normative_in_force: number;
  interpretations_published: number;
  requests_received: number;
  requests_carried_over: number;
  requests_concluded: number;
  requests_carried_forward: number;
  appeals_total: number;
  fee_count: number;
  fee_yuan: string;
  /** Last year's saved texts, if any. */
  last_year: SectionTexts | null;
}

/** Paragraphs of last year's text, without the ones whose figures this draft states afresh. */
function keptParagraphs(text: string | undefined, restated: RegExp): string[] {
  if (!text) return [];
  return text
    .split(/\n+/)
    .map((p) => p.trim())
    .filter((p) => p !== '' && !restated.test(p));
}

export function draftSections(f: DraftFacts): SectionTexts {
  const documents = `（一）主动公开方面。${f.year}年，${f.organ}制发规章${f.rules_issued}件、行政规范性文件${f.normative_issued}件，年末现行有效行政规范性文件${f.normative_in_force}件，均已在规范性文件库集中公开；发布政策解读${f.interpretations_published}篇。`;
  const requests =
    f.requests_received + f.requests_carried_over === 0
      ? `（二）依申请公开方面。${f.year}年未收到政府信息公开申请。`
      : `（二）依申请公开方面。${f.year}年共收到政府信息公开申请${f.requests_received}件，上年结转${f.requests_carried_over}件，办结${f.requests_concluded}件，结转下年度继续办理${f.requests_carried_forward}件。` +
        (f.appeals_total === 0 ? '未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。' : `因政府信息公开工作被申请行政复议、提起行政诉讼${f.appeals_total}件。`);
  const one = [documents, requests, ...keptParagraphs(f.last_year?.one, /^（[一二]）/)].join('\n');
  const fees =
    f.fee_count === 0
      ? `${f.organ}${f.year}年度未收取政府信息公开信息处理费。`
      : `${f.organ}${f.year}年度对${f.fee_count}件政府信息公开申请收取信息处理费，共计${f.fee_yuan}元。`;
  const six = [fees, ...keptParagraphs(f.last_year?.six, /信息处理费/)].join('\n');
  const five = f.last_year?.five ?? `${f.organ}${f.year}年政府信息公开工作存在的主要问题：\n\n改进情况：`;
  return { one, five, six };
}
