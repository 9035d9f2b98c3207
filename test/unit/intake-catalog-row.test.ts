import { describe, expect, it } from 'vitest';
import { kindOfCorpus, kindOfLabel, mapHeaders, readCatalogRow, readCorpusRecord, splitList } from '../../src/features/intake/catalog-row.js';

describe('mapHeaders', () => {
  it('maps Chinese and English headers, ignoring case, spaces, full-width letters and required-marks', () => {
    const { columns, unknown } = mapHeaders(['*标题', '发文字号', 'ＫＩＮＤ', '发文机关', '成文日期', '公布日期', ' effective_on ', '有效期至', '废止日期', '主题分类', '文件名', '备注']);
    expect([...columns.values()]).toEqual([
      'title', 'doc_number', 'kind', 'organ', 'signed_on', 'published_on', 'effective_on', 'expires_on', 'repealed_on', 'topics', 'file',
    ]);
    expect(unknown).toEqual(['备注']);
  });

  it('needs a title column and refuses a field given twice', () => {
    expect(() => mapHeaders(['文号', '发文机关'])).toThrow(/缺少“标题”列/);
    expect(() => mapHeaders(['标题', '文号', '发文字号'])).toThrow(/重复/);
  });
});

describe('kinds', () => {
  it.each([
    ['规章', 'rule'], ['部门规章', 'rule'], ['地方政府规章', 'rule'], ['行政规范性文件', 'normative'], ['规范性文件', 'normative'],
    ['法律', 'law'], ['行政法规', 'administrative_regulation'], ['地方性法规', 'local_regulation'], ['其他', 'other'],
    ['normative', 'normative'], [' RULE ', 'rule'], ['命令', null],
  ])('catalog 类别 %j → %s', (label, kind) => {
    expect(kindOfLabel(label)).toBe(kind);
  });

  it.each([
    ['部门规章', 'rule'], ['地方政府规章', 'rule'], ['规范性文件', 'normative'], ['法律', 'law'], ['行政法规', 'administrative_regulation'],
    ['地方性法规', 'local_regulation'], ['司法解释', 'other'], ['宪法', 'other'], ['党内法规', 'other'], [null, 'other'],
  ])('corpus kind %j → %s', (label, kind) => {
    expect(kindOfCorpus(label)).toBe(kind);
  });
});

describe('readCatalogRow', () => {
  it('reads every field, dates in any form, lists split on 、 and commas', () => {
    expect(
      readCatalogRow(
        {
          title: ' 关于印发办法的通知 ', doc_number: '静府规[2023]5号', kind: '规范性文件', co_organs: '甲局、乙局',
          signed_on: '二〇二三年五月十二日', published_on: '2023.5.20', effective_on: '２０２３-０６-０１', topics: '生态环境，财政信息',
          file: 'a.pdf',
        },
        { organ: '静安区人民政府' },
      ),
    ).toEqual({
      ok: true,
      row: {
        title: '关于印发办法的通知', kind: 'normative', doc_number: '静府规[2023]5号', organ: '静安区人民政府', co_organs: ['甲局', '乙局'],
        index_number: null, signed_on: '2023-05-12', published_on: '2023-05-20', effective_on: '2023-06-01', expires_on: null,
        repealed_on: null, topics: ['生态环境', '财政信息'], file: 'a.pdf', body: null, version: null,
      },
    });
  });

  it.each<[string, Record<string, string>, unknown]>([
    ['both version columns', { amended_by: '静府规[2024]1号', version_effective_on: '2024年2月1日' }, { ok: true, version: { amended_by: '静府规[2024]1号', effective_on: '2024-02-01' } }],
    ['only the 文号', { amended_by: '静府规〔2024〕1号' }, { ok: false, errors: ['修改文件文号与修改后施行日期须同时填写'] }],
    ['only the day', { version_effective_on: '2024-02-01' }, { ok: false, errors: ['修改文件文号与修改后施行日期须同时填写'] }],
    ['an unreadable 文号 and day', { amended_by: '第五号', version_effective_on: '明年' }, { ok: false, errors: ['修改文件文号“第五号”无法识别', '修改后施行日期“明年”不是有效日期'] }],
  ])('reads the version columns: %s', (_name, cells, expected) => {
    const result = readCatalogRow({ title: '办法', ...cells }, { organ: '静安区人民政府' });
    expect(result.ok ? { ok: true, version: result.row.version } : result).toEqual(expected);
  });

  it('reports every problem of a row at once', () => {
    expect(readCatalogRow({ title: '', kind: '命令', doc_number: '第五号', signed_on: '昨天', repealed_on: '2023-01-01' }, { organ: null })).toEqual({
      ok: false,
      errors: [
        '标题为空',
        '类别“命令”无法识别（可用：规章、行政规范性文件、法律、行政法规、地方性法规、其他）',
        '文号“第五号”无法识别',
        '成文日期“昨天”不是有效日期',
        '有废止日期的文件必须有发布日期',
        '发文机关为空（可用 --organ 指定默认机关）',
      ],
    });
  });
});

describe('readCorpusRecord', () => {
  const base = { id: 'x', title: '测试', kind: '部门规章', issuing_organ: '甲部、乙部', doc_number: '甲部令第3号', publish_date: '2020-01-02', effective_date: '2020-02-01', body: '正文' };

  it('splits joint issuers into the lead organ and co-organs', () => {
    expect(readCorpusRecord(base, { organ: null })).toMatchObject({
      ok: true,
      row: { kind: 'rule', organ: '甲部', co_organs: ['乙部'], doc_number: '甲部令第3号', published_on: '2020-01-02', effective_on: '2020-02-01' },
    });
  });

  it('drops a 文号 the parser cannot read, and falls back to the default organ', () => {
    expect(readCorpusRecord({ ...base, doc_number: '〔89〕高检会（研）字第12号', issuing_organ: null }, { organ: '默认机关' })).toMatchObject({
      ok: true,
      row: { doc_number: null, organ: '默认机关', co_organs: [] },
    });
    expect(readCorpusRecord({ ...base, issuing_organ: null }, { organ: null })).toMatchObject({ ok: false });
  });
});

describe('splitList', () => {
  it('splits and de-duplicates', () => {
    expect(splitList('甲、乙,丙，丙;丁；|戊')).toEqual(['甲', '乙', '丙', '丁', '戊']);
  });
});
