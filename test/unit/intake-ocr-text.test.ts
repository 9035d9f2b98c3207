import { describe, expect, it } from 'vitest';
import { normalizeOcrText } from '../../src/features/intake/ocr-text.js';
import { suggestMetadata } from '../../src/features/intake/metadata-suggestions.js';

describe('normalizeOcrText: the confusions of Tesseract chi_sim on a 公文', () => {
  it.each([
    ['brackets of a 文号 read as ( and ]', '静政发 (2023] 12号', '静政发〔2023〕12号'],
    ['read as []', '静政发[2023]12号', '静政发〔2023〕12号'],
    ['read as full-width （）', '静府规（2023）5 号', '静府规〔2023〕5号'],
    ['read as 【】 with spaces inside', '国办发【 2021 】 3号', '国办发〔2021〕3号'],
    ['already right', '静政发〔2023〕12号', '静政发〔2023〕12号'],
    ['full-width digits', '静政发〔２０２３〕１２号', '静政发〔2023〕12号'],
    ['l and O inside numbers', '静政发〔2O23〕l2号', '静政发〔2023〕12号'],
    ['0 for 〇 in a Chinese year', '二0二三年五月十日', '二〇二三年五月十日'],
    ['O for 〇 in a Chinese year', '二O二三年', '二〇二三年'],
    ['a Western year is left alone', '2020年1月1日', '2020年1月1日'],
    ['spaces between Han characters', '关于 进一步 加强 管理的 通知', '关于进一步加强管理的通知'],
    ['spaces around digits of a date', '2023 年 5 月 10 日', '2023年5月10日'],
    ['half-width punctuation after Han', '各委、办、局 :', '各委、办、局：'],
    ['a comma between clauses', '应当审核,未经审核的', '应当审核，未经审核的'],
    ['a bracketed aside in prose is no 文号', '（一）加强管理 (试行)', '（一）加强管理 (试行)'],
    ['Latin words keep their spaces', 'PDF and OFD files', 'PDF and OFD files'],
    ['a form feed between pages', '第一页\f', '第一页'],
  ])('%s', (_label, input, expected) => {
    expect(normalizeOcrText(input)).toBe(expected);
  });

  it('keeps line breaks, so the heading lines stay apart', () => {
    expect(normalizeOcrText('静安区人民政府文件\n静政发 [2023) 12号\n')).toBe('静安区人民政府文件\n静政发〔2023〕12号\n');
  });

  it('lets the text-layer suggestion rules find the 文号 and 成文日期 of an OCR-read 红头文件', () => {
    const read = ['静安区人民政府文件', '静政发 (2023] l2号', '关于进一步加强行政规范性文件管理的通知', '各街道办事处 :', '静安区人民政府', '二0二三年五月十日'].join('\n');
    const suggestions = suggestMetadata(normalizeOcrText(read), { organs: [], topics: [] });
    expect(suggestions).toMatchObject({ doc_number: '静政发〔2023〕12号', signed_on: '2023-05-10' });
    // The control: the raw OCR text defeats the same rules.
    expect(suggestMetadata(read, { organs: [], topics: [] }).doc_number).toBeNull();
  });
});
