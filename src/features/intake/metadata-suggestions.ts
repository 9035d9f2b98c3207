/**
 * Metadata suggested from a document's text when it is registered: title, 文号 or 令号, issuing
 * organ, 成文日期, 发布日期, 施行日期, 有效期至 and topics. Staff check and correct every value; nothing
 * here is saved unchecked, so the rules favour saying nothing over guessing.
 *
 * Where things sit in a 公文 (GB/T 9704): the header (版头) has the red issuer line (…人民政府文件)
 * and the 文号; then the title (…关于…的通知), the addressees (…：), the body, and at the end the
 * issuer and the 成文日期 (落款), usually 二〇二三年五月十二日 on a line of its own. Rules (规章) and laws
 * open with a promulgation note instead: （2023年1月19日上海市人民政府令第1号公布 自2023年4月1日起施行）.
 */
import { findDates, parseDateText, termEnd, type FoundDate } from '../../shared/chinese-dates.js';
import type { IsoDate } from '../../shared/dates.js';
import { findDocNumbers, foldFullWidth, formatDocNumber, parseDocNumber, type DocNumber } from '../../shared/doc-number.js';

export interface KnownOrgan {
  id: number;
  name: string;
  short_name: string | null;
  doc_prefixes: readonly string[];
}

export interface MetadataSuggestions {
  title: string | null;
  doc_number: string | null;
  /** Set only when the organ is one of the known organs. */
  organ_id: number | null;
  /** The known organ's name, or the issuer as the text names it. */
  organ_name: string | null;
  signed_on: IsoDate | null;
  published_on: IsoDate | null;
  effective_on: IsoDate | null;
  expires_on: IsoDate | null;
  topics: string[];
}

/** The header: title, 文号 and promulgation note are never further down than this. */
const HEADER_LINES = 40;
/** The 落款 (issuer and 成文日期) is among the last lines. */
const FOOTER_LINES = 15;

const TITLE_END =
  /(?:通知|通告|公告|意见|办法|规定|规则|细则|决定|决议|批复|答复|解答|复函|函|条例|法|规划|方案|计划|纲要|指引|指南|标准|目录|清单|解释|安排|命令|报告|要点|措施|制度|章程|守则|准则|导则|说明|纪要|修正案)(?:[（(][^（）()]{1,20}[）)])?$/u;
const ORGAN_SUFFIX =
  /(?:人民政府|政府|办公厅|办公室|委员会|常务委员会|人民代表大会|法院|检察院|总局|总署|局|厅|部|委|署|院|办|中心|公司|集团|协会)$/u;
// Matched against the printed line: 第一章 总则 has a space, a title's 第31条第2款的批复 none.
const CHAPTER_OR_ARTICLE = /^(?:第[一二三四五六七八九十百零〇\d]+[章节条编](?:\s|$)|目\s*录|附\s*件|附\s*则|总\s*则)/u;
const SENTENCE = /[。；：！？]/u;

interface Line {
  /** As printed (full-width folded, trimmed). */
  text: string;
  /**
   * Without spaces: 公 告 and 最 高 人 民 法 院 are spaced out for looks. A space after an organ's
   * name separates joint issuers (最高人民法院 最高人民检察院关于…) and becomes 、.
   */
  compact: string;
}

function compactLine(text: string): string {
  const parts = text.split(/\s+/u);
  let out = parts[0] ?? '';
  for (const part of parts.slice(1)) {
    const joint = ORGAN_SUFFIX.test(out) && out.length >= 3 && !out.includes('关于') && /\p{Script=Han}{2}/u.test(part.slice(0, 2));
    out += (joint ? '、' : '') + part;
  }
  return out;
}

function toLines(text: string): Line[] {
  return foldFullWidth(text)
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .map((text) => ({ text, compact: compactLine(text) }));
}

function unwrapParentheses(s: string): string {
  const m = /^[（(](.*)[）)]$/u.exec(s);
  return m ? m[1]! : s;
}

const isDateLine = (line: Line) => parseDateText(unwrapParentheses(line.compact)) !== null;
const isDocNumberLine = (line: Line) => parseDocNumber(line.compact) !== null;

/** Header lines that are never (part of) the title. */
function isHeaderNoise(line: Line): boolean {
  const c = line.compact;
  return (
    isDateLine(line) ||
    isDocNumberLine(line) ||
    /^[（(]/u.test(c) ||
    SENTENCE.test(c) ||
    CHAPTER_OR_ARTICLE.test(line.text) ||
    (/文件$/u.test(c) && !c.includes('关于')) ||
    /^(?:公告|通告|令|命令|第\d+号|(?:\S{0,20})令第\d+号)$/u.test(c) ||
    c.length > 100
  );
}

/** A line that cannot continue a wrapped title; a line opening with （ can: （第十一批）的决定. */
function endsTitle(line: Line): boolean {
  const c = line.compact;
  return (
    isDateLine(line) ||
    isDocNumberLine(line) ||
    SENTENCE.test(c) ||
    CHAPTER_OR_ARTICLE.test(line.text) ||
    /^[（(].*\d{4}年/u.test(c) ||
    c.endsWith('：')
  );
}

/** 最高人民法院 最高人民检察院 (one line, or one line each) → 最高人民法院、最高人民检察院. */
function issuerPrefix(lines: Line[], before: number): string {
  const names: string[] = [];
  for (let i = before - 1; i >= 0 && i >= before - 3; i--) {
    const line = lines[i]!;
    if (isHeaderNoise(line)) break;
    const parts = line.compact.split('、');
    if (!parts.every((p) => ORGAN_SUFFIX.test(p))) break;
    names.unshift(...parts);
  }
  return names.join('、');
}

function suggestTitle(lines: Line[]): string | null {
  const header = lines.slice(0, HEADER_LINES);
  for (let i = 0; i < header.length; i++) {
    const line = header[i]!;
    if (isHeaderNoise(line)) continue;
    const c = line.compact;
    if (!c.includes('关于') && !TITLE_END.test(c)) continue;
    // 最高人民法院 / 关于…的决定: the issuer's line belongs to a title that starts with 关于 or 印发.
    let title = /^(?:关于|印发|转发|发布)/u.test(c) ? issuerPrefix(header, i) + c : c;
    // A long title wraps over several lines.
    for (let j = i + 1; j < header.length && !TITLE_END.test(title) && title.length < 120; j++) {
      if (endsTitle(header[j]!)) break;
      title += header[j]!.compact;
    }
    if (TITLE_END.test(title)) return title;
  }
  return null;
}

/** The document's own number: a header line that is nothing but a 文号, else the first one before the body. */
function suggestDocNumber(lines: Line[], knownPrefixes: string[]): DocNumber | null {
  const header = lines.slice(0, HEADER_LINES);
  for (const line of header) {
    const n = parseDocNumber(line.compact);
    if (n) return n;
  }
  for (const line of header) {
    // Once the body starts, numbers are other documents' (根据…〔2001〕34号…).
    if (SENTENCE.test(line.compact) && !/^[（(]/u.test(line.compact)) break;
    const [first] = findDocNumbers(line.text, { knownPrefixes });
    if (first) return first;
  }
  return null;
}

function organByName(organs: readonly KnownOrgan[], name: string): KnownOrgan | undefined {
  return organs.find((o) => o.name === name || o.short_name === name);
}

/** The known organ named at the start of `s`, the longest if several are. */
function organStarting(organs: readonly KnownOrgan[], s: string): KnownOrgan | undefined {
  let best: KnownOrgan | undefined;
  for (const o of organs) {
    for (const name of [o.name, o.short_name]) {
      if (name && s.startsWith(name) && (!best || name.length > best.name.length)) best = o;
    }
  }
  return best;
}

function suggestOrgan(
  lines: Line[],
  title: string | null,
  docNumber: DocNumber | null,
  signatureLines: Line[],
  organs: readonly KnownOrgan[],
): { id: number | null; name: string | null } {
  const known = (o: KnownOrgan | undefined) => (o ? { id: o.id, name: o.name } : undefined);
  const candidates: string[] = [];
  if (docNumber) {
    const byPrefix = organs.find((o) => o.doc_prefixes.includes(docNumber.prefix));
    if (byPrefix) return { id: byPrefix.id, name: byPrefix.name };
    // 上海市人民政府令 is issued by 上海市人民政府.
    const issuer = /^(.+?)(?:令|公告)$/u.exec(docNumber.prefix)?.[1];
    // 中华人民共和国国务院令: catalogs name the organ 国务院.
    if (issuer) candidates.push(issuer.replace(/^中华人民共和国(?=.{2})/u, ''), issuer);
  }
  const titleIssuer = title ? /^(.+?)关于/u.exec(title)?.[1] : undefined;
  if (titleIssuer) {
    // 新闻出版总署、教育部关于…: the first is the lead organ.
    candidates.push(titleIssuer.split('、')[0]!);
  }
  for (const line of lines.slice(0, HEADER_LINES)) {
    const c = line.compact;
    const red = /^(.+?)(?:办公室|办公厅)?文件$/u.exec(c);
    if (red && !c.includes('关于')) candidates.push(c.slice(0, -2), red[1]!);
    // The issuer's own line above a 公告 or a title: 中华人民共和国最高人民法院.
    else if (!isHeaderNoise(line) && c.length <= 40 && c.split('、').every((p) => ORGAN_SUFFIX.test(p))) {
      const lead = c.split('、')[0]!;
      candidates.push(lead.replace(/^中华人民共和国(?=.{3})/u, ''), lead);
    }
  }
  candidates.push(...signatureLines.map((l) => l.compact));
  for (const name of candidates) {
    const match = known(organByName(organs, name));
    if (match) return match;
  }
  const inTitle = title ? known(organStarting(organs, title)) : undefined;
  if (inTitle) return inTitle;
  const named = candidates.find((c) => ORGAN_SUFFIX.test(c) && c.length <= 40);
  return { id: null, name: named ?? null };
}

const EFFECTIVE_AFTER_DATE = /^\s*起\s*(?:施行|实施|执行|生效)/u;
const EFFECTIVE_ON_PUBLICATION = /自\s*(?:公布|发布|印发|颁布|发文|签发)之日起\s*(?:施行|实施|执行|生效)/gu;
const PUBLISHED_AFTER_DATE = /^[^，。；,;\s（）()]{0,40}?(?:公布|发布|印发)/u;
const THIS_DOCUMENT = '本(?:办法|规定|通知|意见|实施意见|细则|方案|决定|文件|规则|措施|制度|指引|规划|计划|条例)';
// The document's own validity, not a licence's: 本办法…有效期5年, 本通知…有效期至…, （有效期…）.
const VALIDITY = new RegExp(
  `(?:${THIS_DOCUMENT}[^。；]{0,40}?|[（(]\\s*)(?:有效期|试行期?)(?:(?<until>至|截至|到)|(?:为|是)?\\s*(?<amount>\\d{1,2}|[一二两三四五六七八九十])\\s*(?<unit>年|个月))`,
  'u',
);
const SMALL_CN_NUMBER: Record<string, number> = {
  一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9, 十: 10,
};

function suggestDates(text: string, lines: Line[]) {
  const folded = foldFullWidth(text);
  const dates = findDates(folded);
  let headerEnd = 0;
  for (const line of lines.slice(0, HEADER_LINES)) {
    const at = folded.indexOf(line.text, headerEnd);
    if (at >= 0) headerEnd = at + line.text.length;
  }
  const inHeader = (index: number) => index < headerEnd;
  const after = (d: FoundDate, length: number) => folded.slice(d.index + d.length, d.index + d.length + length);

  // 发布日期: …2023年1月19日上海市人民政府令第1号公布; of several events the latest republication.
  let publishedOn =
    dates
      .filter((d) => inHeader(d.index) && PUBLISHED_AFTER_DATE.test(after(d, 50)))
      .map((d) => d.date)
      .sort()
      .at(-1) ?? null;
  // A 公告 (…现予公布…) is dated on the line after it.
  if (publishedOn === null) {
    const announcement = lines.slice(0, HEADER_LINES).findIndex((l) => /现予以?(?:公布|发布|印发)/u.test(l.compact));
    // Under it, the date, or the issuer and then the date.
    const dated = announcement < 0 ? undefined : lines.slice(announcement + 1, announcement + 3).find(isDateLine);
    if (dated) publishedOn = parseDateText(unwrapParentheses(dated.compact));
  }

  // 成文日期: the date of the 落款, on a line of its own at the end; else one standing under the title.
  const footerStart = Math.max(0, lines.length - FOOTER_LINES);
  let signedIndex = -1;
  for (let i = lines.length - 1; i >= footerStart && signedIndex < 0; i--) {
    if (isDateLine(lines[i]!)) signedIndex = i;
  }
  // A notice that 印发 an attached 办法 has its 落款 between the two, in the header zone.
  if (signedIndex < 0) signedIndex = lines.slice(0, HEADER_LINES).findIndex(isDateLine);
  const signedOn = signedIndex >= 0 ? parseDateText(unwrapParentheses(lines[signedIndex]!.compact)) : null;
  // The issuer signs above the date (joint issuers one per line, the lead first).
  const signatureLines = signedIndex < 0 ? [] : lines.slice(Math.max(0, signedIndex - 3), signedIndex).filter((l) => !isHeaderNoise(l));

  // 施行日期: 自2023年4月1日起施行 or 自公布之日起施行; the promulgation note's if it has one, else the last.
  const effective = [
    ...dates
      .filter((d) => /自\s*$/u.test(folded.slice(Math.max(0, d.index - 3), d.index)) && EFFECTIVE_AFTER_DATE.test(after(d, 10)))
      .map((d) => ({ index: d.index, date: d.date })),
    ...[...folded.matchAll(EFFECTIVE_ON_PUBLICATION)].map((m) => ({ index: m.index, date: publishedOn ?? signedOn })),
  ].sort((a, b) => a.index - b.index);
  const effectiveOn = (effective.find((e) => inHeader(e.index)) ?? effective.at(-1))?.date ?? null;

  // 有效期至: stated, or a term counted from the day the document takes effect.
  let expiresOn: IsoDate | null = null;
  const validity = VALIDITY.exec(folded);
  if (validity?.groups?.['until']) {
    const end = validity.index + validity[0].length;
    expiresOn = dates.find((d) => d.index >= end && d.index <= end + 2)?.date ?? null;
  } else if (validity?.groups?.['amount']) {
    const start = effectiveOn ?? publishedOn ?? signedOn;
    const text = validity.groups['amount'];
    const amount = /^\d+$/.test(text) ? Number(text) : SMALL_CN_NUMBER[text]!;
    if (start) expiresOn = validity.groups['unit'] === '年' ? termEnd(start, amount) : termEnd(start, 0, amount);
  }
  return { signedOn, publishedOn, effectiveOn, expiresOn, signatureLines };
}

/** Keywords per topic beyond the words of the topic's own name (财政、金融、审计 → 财政, 金融, 审计). */
const TOPIC_KEYWORDS: Readonly<Record<string, readonly string[]>> = {
  生态环境: ['环境保护', '生态', '污染', '排放', '环保', '固体废物', '噪声', '碳达峰'],
  财政信息: ['财政', '预算', '决算', '专项资金', '政府采购', '国库', '资金管理'],
  安全生产: ['生产安全', '危险化学品', '事故隐患', '消防', '应急管理', '安全事故'],
  食品药品: ['食品', '药品', '医疗器械', '化妆品'],
  '城乡建设、环境保护': ['住房', '建筑', '市容', '环境卫生', '城市管理', '物业', '房地产'],
  '农业、林业、水利': ['农村', '渔业', '畜牧', '耕地', '种子', '水产', '农产品'],
  '工业、交通': ['运输', '公路', '铁路', '航空', '港口', '船舶', '道路', '车辆'],
  '商贸、海关、旅游': ['贸易', '进出口', '商务', '口岸'],
  '市场监管、安全生产监管': ['市场监督', '市场主体', '价格', '计量', '标准化', '产品质量', '登记管理'],
  '科技、教育': ['学校', '科学技术', '教师', '学生', '职业教育'],
  '文化、广电、新闻出版': ['广播', '电视', '出版', '文物', '网络音视频', '图书'],
  '卫生、体育': ['医疗', '疾病', '健康', '传染病', '医院'],
  '劳动、人事、监察': ['就业', '社会保险', '工资', '公务员', '人力资源'],
  '公安、安全、司法': ['治安', '法院', '检察', '刑事', '诉讼', '行政执法', '复议', '律师', '审判'],
  '民政、扶贫、救灾': ['救助', '最低生活保障', '养老', '慈善', '社会组织', '殡葬'],
  '国土资源、能源': ['土地', '矿产', '电力', '不动产', '测绘'],
  '国民经济管理、国有资产监管': ['国有资产', '国有企业', '统计', '发展改革'],
  '人口与计划生育、妇女儿童工作': ['计划生育', '妇女', '儿童', '未成年人'],
  '港澳台侨工作': ['港澳', '台湾同胞', '华侨', '侨务'],
  国防: ['兵役', '军事', '人民防空', '退役军人'],
  综合政务: ['政务公开', '政务服务', '政府信息公开', '行政规范性文件'],
};

// Words of topic names that every document uses: 公安、安全、司法 is not about every 安全.
const GENERIC_WORDS = new Set(['安全', '工作', '管理']);

function count(haystack: string, needle: string): number {
  let n = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) n++;
  return n;
}

/**
 * Topics whose words the title or body uses: a word in the title weighs as much as five in the body,
 * and a word counts at most ten times, so one long list of 财政 items does not decide alone.
 */
function suggestTopics(title: string | null, text: string, topics: readonly string[]): string[] {
  const scored = topics
    .filter((t) => t !== '其他')
    .map((topic) => {
      const own = topic.split(/[、与和]/u).filter((w) => w.length >= 2 && !GENERIC_WORDS.has(w));
      const words = [...new Set([...own, ...(TOPIC_KEYWORDS[topic] ?? [])])];
      const score = words.reduce((sum, w) => sum + 5 * count(title ?? '', w) + Math.min(10, count(text, w)), 0);
      return { topic, score };
    })
    .filter((t) => t.score >= 6)
    .sort((a, b) => b.score - a.score);
  const best = scored[0]?.score ?? 0;
  return scored.filter((t) => t.score >= best / 2).slice(0, 3).map((t) => t.topic);
}

export function suggestMetadata(
  text: string,
  known: { organs: readonly KnownOrgan[]; topics: readonly string[] },
): MetadataSuggestions {
  const lines = toLines(text);
  const title = suggestTitle(lines);
  const docNumber = suggestDocNumber(lines, known.organs.flatMap((o) => o.doc_prefixes));
  const dates = suggestDates(text, lines);
  const organ = suggestOrgan(lines, title, docNumber, dates.signatureLines, known.organs);
  return {
    title,
    doc_number: docNumber ? formatDocNumber(docNumber) : null,
    organ_id: organ.id,
    organ_name: organ.name,
    signed_on: dates.signedOn,
    published_on: dates.publishedOn,
    effective_on: dates.effectiveOn,
    expires_on: dates.expiresOn,
    topics: suggestTopics(title, text, known.topics),
  };
}
