import { beforeAll, describe, expect, it } from 'vitest';
import { suggestMetadata, type KnownOrgan } from '../../src/features/intake/metadata-suggestions.js';
import { corpusRecords, type CorpusRecord } from '../support/upload-fixtures.js';

const TOPICS = [
  '综合政务', '国民经济管理、国有资产监管', '财政、金融、审计', '国土资源、能源', '农业、林业、水利', '工业、交通',
  '城乡建设、环境保护', '科技、教育', '卫生、体育', '人口与计划生育、妇女儿童工作', '劳动、人事、监察',
  '公安、安全、司法', '民政、扶贫、救灾', '其他', '生态环境', '财政信息', '安全生产', '食品药品',
];

const organ = (id: number, name: string, doc_prefixes: string[] = [], short_name: string | null = null): KnownOrgan => ({
  id, name, short_name, doc_prefixes,
});

const JINGAN = organ(7, '静安区人民政府', ['静府规', '静府发'], '静安区政府');
const ORGANS = [organ(1, '上海市人民政府', ['沪府规']), JINGAN, organ(9, '静安区生态环境局', ['静环'])];

// A 公文 as pdf-parse gives it back after normalization: red header, 文号, a title wrapped over two
// lines, addressees, the notice, the 落款 with a 成文日期 in Chinese numerals, then the 办法 itself.
const NOTICE = `静安区人民政府文件
静府规〔２０２３〕５号
静安区人民政府关于印发《静安区生态环境保护
专项资金管理办法》的通知
各街道办事处、彭浦镇政府，区政府各委、办、局：
现将《静安区生态环境保护专项资金管理办法》印发给你们，请认真按照执行。
静安区人民政府
二〇二三年五月十二日
（此件公开发布）
静安区生态环境保护专项资金管理办法
第一条 为加强生态环境保护专项资金管理，提高财政资金使用效益，根据《中华人民共和国预算法》《中华人民共和国环境保护法》等规定，结合本区实际，制定本办法。
第二条 本办法所称生态环境保护专项资金，是指区财政预算安排，用于污染防治、生态修复和环境监测能力建设的资金。
第三条 申请专项资金的项目应当符合本区生态环境保护规划，不得重复申报。
第四条 区生态环境局负责项目审核和绩效评价，区财政局负责资金拨付和监督。
第五条 本办法自2023年6月1日起施行，有效期5年。`;

describe('suggestMetadata on a 公文 (行政规范性文件)', () => {
  const s = suggestMetadata(NOTICE, { organs: ORGANS, topics: TOPICS });

  it('finds the title across its line break, and the 文号 with full-width digits folded', () => {
    expect(s.title).toBe('静安区人民政府关于印发《静安区生态环境保护专项资金管理办法》的通知');
    expect(s.doc_number).toBe('静府规〔2023〕5号');
  });

  it('matches the issuing organ by its 文号 prefix', () => {
    expect(s).toMatchObject({ organ_id: 7, organ_name: '静安区人民政府' });
  });

  it('reads the 成文日期 written in Chinese numerals, the 施行日期 and the term of validity', () => {
    expect(s).toMatchObject({
      signed_on: '2023-05-12',
      published_on: null,
      effective_on: '2023-06-01',
      expires_on: '2028-05-31',
    });
  });

  it('suggests topics from the words of the title and body', () => {
    expect(s.topics).toContain('生态环境');
    expect(s.topics).toContain('财政信息');
    expect(s.topics.length).toBeLessThanOrEqual(3);
  });
});

describe('suggestMetadata on other layouts', () => {
  it('reads spaced-out PDF headers, a date at the very end, 自印发之日起施行 and 有效期至', () => {
    const text = [
      '静 安 区 人 民 政 府 办 公 室 文 件',
      '静府办发〔2022〕 12 号',
      '关于进一步加强行政规范性文件管理的通知',
      '各街道办事处：',
      '为规范行政规范性文件制定工作，现通知如下。',
      '一、严格执行合法性审核制度。',
      '二、本通知自印发之日起施行，有效期至2025年12月31日。',
      '静安区人民政府办公室',
      '2022年3月8日',
    ].join('\n');
    const s = suggestMetadata(text, { organs: [], topics: TOPICS });
    expect(s).toMatchObject({
      title: '关于进一步加强行政规范性文件管理的通知',
      doc_number: '静府办发〔2022〕12号',
      organ_id: null,
      organ_name: '静安区人民政府办公室',
      signed_on: '2022-03-08',
      effective_on: '2022-03-08',
      expires_on: '2025-12-31',
    });
    expect(s.topics).toEqual(['综合政务']);
  });

  it('matches a known organ by name from the 落款 when the 文号 prefix is unknown, and by short name', () => {
    const text = '关于做好防汛工作的通知\n各单位：\n请做好防汛准备。\n静安区政府\n2024-06-01';
    expect(suggestMetadata(text, { organs: ORGANS, topics: [] })).toMatchObject({ organ_id: 7, organ_name: '静安区人民政府', signed_on: '2024-06-01' });
  });

  it('takes the 令号 and the dates of a rule\'s promulgation note, the latest republication winning', () => {
    const text = [
      '上海市行政规范性文件管理规定',
      '（2018年5月10日上海市人民政府令第3号公布 根据2020年3月2日上海市人民政府令第27号修正并重新公布 自2020年4月1日起施行）',
      '第一条 为了加强行政规范性文件管理，制定本规定。',
      '第二条 本规定自2018年7月1日起施行。',
    ].join('\n');
    expect(suggestMetadata(text, { organs: ORGANS, topics: [] })).toMatchObject({
      title: '上海市行政规范性文件管理规定',
      doc_number: '上海市人民政府令第3号',
      organ_id: 1,
      published_on: '2020-03-02',
      effective_on: '2020-04-01',
    });
  });

  it('does not read a licence\'s validity as the document\'s, nor another document\'s 文号 in the body as its own', () => {
    const text = [
      '关于办理排污许可证的通知',
      '各企业：',
      '根据《关于加强排污许可管理的意见》（沪环规〔2020〕3号），排污许可证有效期为5年。',
      '上海市生态环境局',
      '2021年1月5日',
    ].join('\n');
    const s = suggestMetadata(text, { organs: [], topics: TOPICS });
    expect(s).toMatchObject({ doc_number: null, expires_on: null, effective_on: null, organ_name: '上海市生态环境局' });
  });

  it('says nothing rather than guess on text without a header', () => {
    const s = suggestMetadata('这是一段没有任何公文要素的文字。\n第二段。', { organs: ORGANS, topics: TOPICS });
    expect(s).toEqual({
      title: null, doc_number: null, organ_id: null, organ_name: null, signed_on: null,
      published_on: null, effective_on: null, expires_on: null, topics: [],
    });
  });
});

/**
 * Real documents from ../shared/corpus: the suggestions must agree with the metadata the corpus
 * records for them (its doc_number, publish_date and effective_date come from flk.npc.gov.cn or the
 * catalogues, not from the text).
 */
describe('suggestMetadata on real texts from the shared corpus', () => {
  const CASES = [
    { id: '4dbec174b537f2c9', organ: '最高人民法院', titleFromText: true },
    { id: '637902414e10ddcc', organ: '最高人民法院', titleFromText: true },
    { id: 'decf5475172b15e0', organ: '最高人民法院', titleFromText: true },
    { id: '8fb0d28e5b0b8cb7', organ: '交通部', titleFromText: false },
    { id: '6bfce20abf46fbd2', organ: '交通运输部', titleFromText: false },
    { id: '23d1f242489f867d', organ: '山东省人民政府', titleFromText: false },
    { id: '01708a7c3f910270', organ: '山东省人民政府', titleFromText: false },
    { id: '2ff3112bd52cb725', organ: '国务院', titleFromText: false },
    { id: 'df26d99380350429', organ: '国务院', titleFromText: false },
    { id: '142b07202e1bfb97', organ: '交通部', titleFromText: false },
  ];
  const organs = [
    organ(101, '最高人民法院', ['法释']),
    organ(102, '交通部', ['交公路发']),
    organ(103, '交通运输部'),
    organ(104, '山东省人民政府', ['鲁政发']),
    organ(105, '国务院', ['国发', '国办发']),
  ];
  let records: Map<string, CorpusRecord>;
  beforeAll(async () => {
    records = await corpusRecords(CASES.map((c) => c.id));
  });

  it.each(CASES)('$id', ({ id, organ: organName, titleFromText }) => {
    const record = records.get(id);
    expect(record, `corpus record ${id}`).toBeDefined();
    const s = suggestMetadata(record!.body, { organs, topics: TOPICS });
    expect(s.doc_number).toBe(record!.doc_number);
    expect(s.published_on).toBe(record!.publish_date);
    expect(s.effective_on).toBe(record!.effective_date);
    expect(s.organ_name).toBe(organName);
    expect(s.organ_id).toBe(organs.find((o) => o.name === organName)!.id);
    // Rules and laws open with the promulgation note; their title is not in the text.
    expect(s.title).toBe(titleFromText ? record!.title : null);
  });

  it('suggests the topics a reader would file them under', () => {
    const topicsOf = (id: string) => suggestMetadata(records.get(id)!.body, { organs, topics: TOPICS }).topics;
    expect(topicsOf('23d1f242489f867d')).toContain('城乡建设、环境保护');
    expect(topicsOf('df26d99380350429')).toContain('人口与计划生育、妇女儿童工作');
    expect(topicsOf('8fb0d28e5b0b8cb7')).toContain('工业、交通');
  });
});
