import { describe, expect, it } from 'vitest';
import { parseDocNumber } from '../../src/shared/doc-number.js';
import {
  missingFieldsWarning,
  missingForPublication,
  publishingWarnings,
  type PublishingFacts,
} from '../../src/features/catalog/publishing-checks.js';

const TODAY = '2024-06-15';

const facts = (overrides: Partial<Omit<PublishingFacts, 'doc_number'>> & { doc_number?: string | null } = {}): PublishingFacts => {
  const { doc_number = '示政规〔2024〕3号', ...rest } = overrides;
  return {
    kind: 'normative',
    title: '示例县人民政府关于印发示例县河道管理办法的通知',
    organ_name: '示例县人民政府',
    organ_prefixes: ['示政规', '示政发'],
    signed_on: '2024-06-01',
    published_on: '2024-06-10',
    expires_on: '2029-06-09',
    body: '本办法自2024年7月1日起施行。',
    ...rest,
    doc_number: doc_number === null ? null : parseDocNumber(doc_number),
  };
};

describe('missingForPublication', () => {
  it.each([
    ['nothing missing', facts(), []],
    ['no 文号 on a normative document', facts({ doc_number: null }), ['doc_number']],
    ['no 成文日期', facts({ signed_on: null }), ['signed_on']],
    ['no organ', facts({ organ_name: null }), ['organ_id']],
    ['a blank title', facts({ title: '  ' }), ['title']],
    ['all of them at once', facts({ title: '', doc_number: null, signed_on: null, organ_name: null }), ['title', 'doc_number', 'signed_on', 'organ_id']],
    ['a law needs none of them', facts({ kind: 'law', doc_number: null, signed_on: null }), []],
  ])('%s', (_name, input, fields) => {
    expect(Object.keys(missingForPublication(input))).toEqual(fields);
  });

  it('asks a rule for its 令号', () => {
    expect(missingForPublication(facts({ kind: 'rule', doc_number: null }))['doc_number']).toBe('发布前须填写令号');
  });
});

describe('publishingWarnings', () => {
  const codes = (input: PublishingFacts, today = TODAY) => publishingWarnings(input, today).map((w) => w.code);

  it.each([
    ['a clean document', facts(), []],
    ['征求意见稿 in the title', facts({ title: '示例县河道管理办法（征求意见稿）' }), ['draft_wording']],
    ['草案 in the body', facts({ body: '本草案经审议……' }), ['draft_wording']],
    ['a law, kept for reference, is not checked', facts({ kind: 'law', title: '某法（送审稿）', doc_number: null }), []],
    ['a blank date', facts({ body: '本办法自 年 月 日起施行。' }), ['blank_date']],
    ['a blank date with underscores', facts({ body: '自____年__月__日起施行' }), ['blank_date']],
    ['a filled date is not blank', facts({ body: '自2024年7月1日起施行' }), []],
    ['a normative document without 有效期至', facts({ expires_on: null }), ['no_expiry']],
    ['a rule needs no 有效期至', facts({ kind: 'rule', doc_number: '示例县人民政府令第3号', expires_on: null, organ_prefixes: [] }), []],
    ['文号 year ≠ 成文日期 year', facts({ doc_number: '示政规〔2023〕3号' }), ['doc_number_year']],
    ['an order number without a year', facts({ kind: 'rule', doc_number: '示例县人民政府令第3号', organ_prefixes: [] }), []],
    ['a prefix the organ does not use', facts({ doc_number: '外政发〔2024〕3号' }), ['doc_number_prefix']],
    ['an organ with no prefixes registered', facts({ doc_number: '外政发〔2024〕3号', organ_prefixes: [] }), []],
  ])('%s', (_name, input, expected) => {
    expect(codes(input)).toEqual(expected);
  });

  it('warns of nothing while the document is a draft (unpublished or published later)', () => {
    const suspicious = { title: '办法（征求意见稿）', expires_on: null, doc_number: '外政发〔2020〕1号' };
    expect(codes(facts({ ...suspicious, published_on: null }))).toEqual([]);
    expect(codes(facts({ ...suspicious, published_on: '2024-06-16' }))).toEqual([]);
    expect(codes(facts({ ...suspicious, published_on: TODAY }))).toEqual(['draft_wording', 'no_expiry', 'doc_number_year', 'doc_number_prefix']);
  });

  it('says what differs, in Chinese', () => {
    const [warning] = publishingWarnings(facts({ doc_number: '示政规〔2017〕3号', signed_on: '2018-01-05' }), TODAY);
    expect(warning!.message).toContain('文号年份（2017）与成文日期年份（2018）不一致');
  });
});

describe('missingFieldsWarning', () => {
  it('names the missing fields by their labels, or says nothing', () => {
    expect(missingFieldsWarning({}, {})).toEqual([]);
    expect(missingFieldsWarning({ doc_number: 'x', signed_on: 'y' }, { doc_number: '文号', signed_on: '成文日期' })).toEqual([
      { code: 'missing_fields', message: '缺少文号、成文日期' },
    ]);
  });
});
