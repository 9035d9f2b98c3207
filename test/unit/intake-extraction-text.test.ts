import { describe, expect, it } from 'vitest';
import { hasHanText, normalizeExtractedText, reflowLines } from '../../src/shared/extracted-text.js';

// The raw pdf-parse output of a 公文 page: hard line breaks at the page width, `12 号` from a
// separate font run for digits, a page number footer.
const PAGE_1 = [
  '静安区人民政府文件',
  '静政发〔2023〕12 号',
  '关于进一步加强行政规范性文件管理的通知',
  '各街道办事处、镇政府，区政府各委、办、局：',
  '为进一步加强行政规范性文件制定和监督管理工作，根据《中华人民共和国立法法》',
  '和国务院有关规定，结合本区实际，现就加强行政规范性文件管理有关事项通知如',
  '下：',
  '一、严格落实合法性审核制度。行政规范性文件应当经过合法性审核，未经合法性审',
  '核或者经审核不合法的，不得提交集体审议。',
  '— 1 —',
].join('\n');
const PAGE_2 = ['— 2 —', '二、本通知自 2023 年 6 月 1 日起施行，有效期至２０２８年５月３１日。', '静安区人民政府', '2023年5月12日'].join('\n');

describe('normalizeExtractedText (PDF)', () => {
  const text = normalizeExtractedText([PAGE_1, PAGE_2], { reflow: true });
  const lines = text.split('\n');

  it('re-joins lines the page width broke, keeping headings on their own lines', () => {
    expect(lines.slice(0, 4)).toEqual([
      '静安区人民政府文件',
      '静政发〔2023〕12号',
      '关于进一步加强行政规范性文件管理的通知',
      '各街道办事处、镇政府，区政府各委、办、局：',
    ]);
    expect(lines).toContain(
      '为进一步加强行政规范性文件制定和监督管理工作，根据《中华人民共和国立法法》和国务院有关规定，结合本区实际，现就加强行政规范性文件管理有关事项通知如下：',
    );
    expect(lines).toContain('一、严格落实合法性审核制度。行政规范性文件应当经过合法性审核，未经合法性审核或者经审核不合法的，不得提交集体审议。');
  });

  it('removes spaces between Han and digits, folds full-width digits and drops page numbers', () => {
    expect(text).toContain('本通知自2023年6月1日起施行，有效期至2028年5月31日。');
    expect(text).not.toMatch(/—\s*\d\s*—/);
    expect(lines.at(-1)).toBe('2023年5月12日');
  });

  it('drops the page markers pdf-parse appends when not told otherwise', () => {
    expect(normalizeExtractedText(['第一页\n\n-- 1 of 2 --\n', '第二页\n-- 2 of 2 --'], { reflow: true })).toBe('第一页\n第二页');
  });
});

describe('normalizeExtractedText (DOCX, text)', () => {
  it('keeps every paragraph and a bare number inside the text, collapses blank lines and CRLF', () => {
    expect(normalizeExtractedText(['标题\r\n\r\n\r\n3\r\n第一段。  \r\n'], { reflow: false })).toBe('标题\n3\n第一段。');
  });
});

describe('reflowLines', () => {
  it('leaves short texts alone: no body width to measure', () => {
    expect(reflowLines(['一二三', '四五六'])).toEqual(['一二三', '四五六']);
  });

  it('does not join Latin text or lines ending a sentence', () => {
    const body = Array.from({ length: 6 }, () => '这是一行很长的正文内容用来确定版心宽度这是一行很长的正文');
    const lines = [...body, 'English words wrapped here by the width of the page abcdefgh', 'next line', '句子结束了这是一行很长的正文内容用来确定版心宽度。', '下一句'];
    const out = reflowLines(lines);
    expect(out).toContain('next line');
    expect(out).toContain('下一句');
  });
});

describe('hasHanText', () => {
  it.each([
    ['', false],
    ['\n\n', false],
    ['Scanned page 1', false],
    ['规', true],
  ])('%j → %s', (text, expected) => {
    expect(hasHanText(text)).toBe(expected);
  });
});
