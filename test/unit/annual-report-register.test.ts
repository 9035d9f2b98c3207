import { describe, expect, it } from 'vitest';
import { mapColumns } from '../../src/features/article20/article20-import.js';
import { APPEAL_COLUMNS, REQUEST_COLUMNS, parseAppealRow, parseRequestRow, requestDateErrors } from '../../src/features/annual-report/register.js';
import { figureDifferences } from '../../src/features/annual-report/publication.js';
import { draftSections } from '../../src/features/annual-report/report-draft.js';

const TODAY = '2024-03-01';
const requestHeader = ['申请编号', '受理机关', '收到日期', '申请人类型', '办结日期', '办理结果', '信息处理费（元）'];
const requestColumns = (() => {
  const mapped = mapColumns(requestHeader, REQUEST_COLUMNS);
  if ('error' in mapped) throw new Error(mapped.error);
  return mapped.columns;
})();

describe('a row of a request import', () => {
  it.each([
    [['A1', '县政府', '2023/5/1', '自然人', '', '', ''], { applicant_type: 'natural_person', concluded_on: null, outcome: null, fee_fen: null }],
    [['A1', '县政府', '2023年5月1日', '法人或其他组织-商业企业', '2023-05-20', '不予公开－属于国家秘密', '12.5'], { applicant_type: 'commercial', outcome: 'withheld.state_secret', fee_fen: 1250n }],
    [['A1', '县政府', '2023-05-01', 'legal_service', '2023-05-20', 'other.no_fee_paid', ''], { applicant_type: 'legal_service', outcome: 'other.no_fee_paid' }],
    [['A1', '县政府', '2023-05-01', '社会公益组织', '2023-05-20', '属于三类内部事务信息', ''], { outcome: 'withheld.internal_affairs' }],
    [['A1', '县政府', '2023-05-01', '科研机构', '2023-05-20', '部分公开', ''], { applicant_type: 'research', outcome: 'partially_disclosed' }],
  ])('%j', (cells, expected) => {
    const parsed = parseRequestRow(cells, requestColumns, TODAY);
    expect(parsed).toMatchObject({ ok: true, value: { number: 'A1', organ: '县政府', received_on: expect.any(String), ...expected } });
  });

  it.each([
    [['A1', '县政府', '2023-05-01', '外星人', '', '', ''], '申请人类型“外星人”无法识别'],
    [['A1', '县政府', '2023-05-01', '自然人', '2023-05-20', '', ''], '已办结的申请须填写办理结果'],
    [['A1', '县政府', '2023-05-01', '自然人', '', '予以公开', ''], '须同时填写办结日期'],
    [['A1', '县政府', '2023-05-01', '自然人', '2023-04-20', '予以公开', ''], '办结日期不能早于收到日期'],
    [['A1', '县政府', '2024-05-01', '自然人', '', '', ''], '晚于今天'],
    [['', '县政府', '2023-05-01', '自然人', '', '大概公开了', ''], '申请编号不能为空；办理结果“大概公开了”无法识别'],
  ])('refuses %j', (cells, message) => {
    const parsed = parseRequestRow(cells, requestColumns, TODAY);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.message).toContain(message);
  });

  it('reads appeal kinds and results in their usual words', () => {
    const mapped = mapColumns(['案件编号', '被申请机关', '案件类型', '立案日期', '审结日期', '结果'], APPEAL_COLUMNS);
    if ('error' in mapped) throw new Error(mapped.error);
    expect(parseAppealRow(['F1', '县政府', '复议后起诉', '2023-01-01', '2023-02-01', '结果纠正'], mapped.columns, TODAY)).toMatchObject({ ok: true, value: { kind: 'litigation_after_review', result: 'corrected' } });
    expect(parseAppealRow(['F1', '县政府', '直接起诉', '2023-01-01', '', ''], mapped.columns, TODAY)).toMatchObject({ ok: true, value: { kind: 'litigation_direct', result: null } });
  });
});

describe('the order of a request’s dates', () => {
  const base = { received_on: '2023-05-10', correction_asked_on: null, correction_received_on: null, extended_on: null, concluded_on: null, outcome: null };
  it.each([
    [{}, {}],
    [{ correction_asked_on: '2023-05-09' }, { correction_asked_on: '补正告知日期不能早于收到日期' }],
    [{ correction_received_on: '2023-05-12' }, { correction_received_on: '没有补正告知日期，不能填写补正收到日期' }],
    [{ correction_asked_on: '2023-05-12', correction_received_on: '2023-05-11' }, { correction_received_on: '补正收到日期不能早于补正告知日期' }],
    [{ extended_on: '2023-05-01' }, { extended_on: '延期日期不能早于收到日期' }],
    [{ concluded_on: '2023-05-10', outcome: 'disclosed' as const }, {}],
  ])('%j', (change, errors) => {
    expect(requestDateErrors({ ...base, ...change }, TODAY)).toEqual(errors);
  });
});

describe('differences between a published report and today’s', () => {
  it('lists changed figures and texts by path, and ignores the lists behind them', () => {
    const published = { requests: { received: { total: 2 }, unbalanced: [{ column: 'x' }] }, sections: { one: 'a' } };
    const current = { requests: { received: { total: 3 }, unbalanced: [] }, sections: { one: 'a' } };
    expect(figureDifferences(published, current)).toEqual([{ path: 'requests.received.total', published: 2, current: 3 }]);
    expect(figureDifferences({ a: 1 }, { a: 1, b: 'new' })).toEqual([{ path: 'b', published: null, current: 'new' }]);
  });
});

describe('the draft of sections 一, 五, 六', () => {
  const facts = { organ: '示例县人民政府', year: 2025, rules_issued: 0, normative_issued: 5, normative_in_force: 40, interpretations_published: 7, requests_received: 0, requests_carried_over: 0, requests_concluded: 0, requests_carried_forward: 0, appeals_total: 0, fee_count: 0, fee_yuan: '0.00', last_year: null };
  it('says what the system knows, in the wording of published reports', () => {
    const draft = draftSections(facts);
    expect(draft.one).toContain('制发规章0件、行政规范性文件5件');
    expect(draft.one).toContain('发布政策解读7篇');
    expect(draft.one).toContain('2025年未收到政府信息公开申请');
    expect(draft.six).toBe('示例县人民政府2025年度未收取政府信息公开信息处理费。');
  });
  it('keeps last year’s own paragraphs, never its figures', () => {
    const last = { one: '（一）主动公开方面。旧数字。\n（三）平台建设方面。保留。', five: '去年的问题。', six: '去年未收取信息处理费。\n本报告电子版可在门户网站下载。' };
    const draft = draftSections({ ...facts, requests_received: 3, requests_concluded: 2, requests_carried_forward: 1, last_year: last });
    expect(draft.one.split('\n')).toEqual([expect.stringContaining('（一）主动公开方面。2025年'), expect.stringContaining('共收到政府信息公开申请3件'), '（三）平台建设方面。保留。']);
    expect(draft.five).toBe('去年的问题。');
    expect(draft.six.split('\n')).toEqual(['示例县人民政府2025年度未收取政府信息公开信息处理费。', '本报告电子版可在门户网站下载。']);
  });
});
