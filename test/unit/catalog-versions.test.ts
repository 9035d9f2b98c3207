import { describe, expect, it } from 'vitest';
import { newVersionErrors, supersededBy, versionAsOf, type NewVersionFacts } from '../../src/features/catalog/document-versions.js';
import { diffChars, type DiffPart } from '../../src/features/catalog/text-diff.js';

const versions = [
  { number: 1, effective_on: '2023-03-01' },
  { number: 2, effective_on: '2024-07-01' },
  { number: 3, effective_on: '2025-03-01' },
];

describe('versionAsOf', () => {
  it.each([
    ['2023-01-01', 1], // before the document took effect: the text as issued
    ['2023-02-28', 1],
    ['2023-03-01', 1],
    ['2024-06-30', 1],
    ['2024-07-01', 2],
    ['2024-07-02', 2],
    ['2025-02-28', 2],
    ['2025-03-01', 3],
    ['2025-03-02', 3],
    ['2099-12-31', 3],
  ])('on %s answers version %i', (day, expected) => {
    expect(versionAsOf(versions, day)?.number).toBe(expected);
  });

  it('does not depend on the order given', () => {
    expect(versionAsOf([...versions].reverse(), '2024-12-31')?.number).toBe(2);
  });

  it('answers nothing without versions', () => {
    expect(versionAsOf([], '2025-01-01')).toBeUndefined();
  });

  it('names the version that superseded another, none for the newest', () => {
    expect(supersededBy(versions, versions[0]!)?.number).toBe(2);
    expect(supersededBy(versions, versions[2]!)).toBeUndefined();
  });
});

describe('newVersionErrors', () => {
  const ok: NewVersionFacts = {
    documentId: 1,
    publishedOn: '2023-02-20',
    repealedOn: null,
    latestEffectiveOn: '2023-03-01',
    amending: { id: 2, published_on: '2025-02-10' },
    effectiveOn: '2025-03-01',
  };
  it.each<[string, Partial<NewVersionFacts>, Record<string, string>]>([
    ['a valid amendment', {}, {}],
    ['the day after the previous version', { effectiveOn: '2023-03-02', amending: { id: 2, published_on: '2023-03-02' } }, {}],
    ['the same day as the previous version', { effectiveOn: '2023-03-01', amending: { id: 2, published_on: '2023-02-01' } }, { effective_on: '施行日期应晚于上一版本的施行日期（2023-03-01）' }],
    ['before the amending document was published', { effectiveOn: '2025-02-09' }, { effective_on: '修改后文本的施行日期不能早于修改文件的发布日期（2025-02-10）' }],
    ['on the amending document’s publication day', { effectiveOn: '2025-02-10' }, {}],
    ['an unpublished amending document', { amending: { id: 2, published_on: null } }, { amended_by: '修改文件尚未发布' }],
    ['amending itself', { amending: { id: 1, published_on: '2025-02-10' } }, { amended_by: '文件不能修改自身' }],
    ['an unpublished document', { publishedOn: null }, { document: '未发布的文件不能添加修改版本' }],
    ['on the repeal day', { repealedOn: '2025-03-01' }, { effective_on: '该文件已于 2025-03-01 废止，不能在此后修改' }],
    ['the day before the repeal', { repealedOn: '2025-03-02' }, {}],
  ])('%s', (_name, change, expected) => {
    expect(newVersionErrors({ ...ok, ...change })).toEqual(expected);
  });
});

const render = (parts: DiffPart[]) => parts.map((p) => (p.op === 'equal' ? p.text : p.op === 'insert' ? `[+${p.text}]` : `[-${p.text}]`)).join('');
const side = (parts: DiffPart[], skip: 'insert' | 'delete') => parts.filter((p) => p.op !== skip).map((p) => p.text).join('');

describe('diffChars', () => {
  it.each([
    ['', '', ''],
    ['相同', '相同', '相同'],
    ['', '新增', '[+新增]'],
    ['删除', '', '[-删除]'],
    ['应当在20个工作日内办结', '应当在15个工作日内办结', '应当在[-20][+15]个工作日内办结'],
    ['申请人应当提交材料。', '申请人应当提交书面材料。', '申请人应当提交[+书面]材料。'],
    ['第一条 甲乙丙。第二条 丁。', '第一条 甲丙。第二条 丁戊。', '第一条 甲[-乙]丙。第二条 丁[+戊]。'],
    ['𠀀字', '𠀁字', '[-𠀀][+𠀁]字'],
  ])('%s → %s', (from, to, expected) => {
    expect(render(diffChars(from, to))).toBe(expected);
  });

  it('always rebuilds both texts and marks no more characters than were edited', () => {
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const alphabet = '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严';
    for (let round = 0; round < 200; round++) {
      const from = Array.from({ length: random(60) }, () => alphabet[random(40)]).join('');
      const chars = Array.from(from);
      const edits = random(6);
      for (let e = 0; e < edits; e++) {
        const at = random(chars.length + 1);
        if (random(2) === 0) chars.splice(at, 1);
        else chars.splice(at, 0, alphabet[random(alphabet.length)]!);
      }
      const to = chars.join('');
      const parts = diffChars(from, to);
      expect(side(parts, 'insert')).toBe(from);
      expect(side(parts, 'delete')).toBe(to);
      const changed = parts.filter((p) => p.op !== 'equal').reduce((n, p) => n + Array.from(p.text).length, 0);
      // Myers finds a shortest script: never more characters marked than were edited.
      expect(changed).toBeLessThanOrEqual(edits);
    }
  });

  it('keeps a long text with one change to that change', () => {
    const long = '第一条 为了规范行政规范性文件管理，制定本办法。'.repeat(500);
    const changed = long.slice(0, 6000) + '新' + long.slice(6000);
    const parts = diffChars(long, changed);
    expect(parts.filter((p) => p.op !== 'equal')).toEqual([{ op: 'insert', text: '新' }]);
  });
});
