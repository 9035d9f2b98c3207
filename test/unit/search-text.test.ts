import { describe, expect, it } from 'vitest';
import {
  HIGHLIGHT_POST,
  HIGHLIGHT_PRE,
  buildSnippet,
  escapeHtml,
  filterValue,
  highlightedToHtml,
  markTerms,
  matchedTerms,
  normalizeForIndex,
  queryTerms,
  queryWords,
  snippetCandidates,
  snippetFromHead,
  spaceDigits,
  splitIntoChunks,
} from '../../src/features/search/search-text.js';

const marked = (s: string) => s.replaceAll('[', HIGHLIGHT_PRE).replaceAll(']', HIGHLIGHT_POST);

describe('highlightedToHtml', () => {
  it.each([
    ['plain text', 'plain text'],
    ['[规范][性][文件]', '<mark>规范</mark><mark>性</mark><mark>文件</mark>'],
    ['<img src=x onerror=alert(1)> [通知]', '&lt;img src=x onerror=alert(1)&gt; <mark>通知</mark>'],
    ['"quotes" & \'apostrophes\'', '&quot;quotes&quot; &amp; &#39;apostrophes&#39;'],
    ['[unclosed', '<mark>unclosed</mark>'],
    ['stray] close', 'stray close'],
    ['[[double]]', '<mark>double</mark>'],
    ['[<script>]', '<mark>&lt;script&gt;</mark>'],
  ])('%s', (input, html) => {
    expect(highlightedToHtml(marked(input))).toBe(html);
  });

  it('only ever produces <mark> tags', () => {
    const html = highlightedToHtml(marked('[a<b>c</b>]<mark>x</mark>[<mark>]'));
    expect(html.replace(/<\/?mark>/g, '')).not.toMatch(/[<>]/);
  });
});

describe('escapeHtml / filterValue', () => {
  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
  it.each([
    ['生态环境', '"生态环境"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ['" OR kind = "rule', '"\\" OR kind = \\"rule"'],
    [12, '"12"'],
  ])('quotes %s as one value', (value, quoted) => {
    expect(filterValue(value)).toBe(quoted);
  });
});

describe('query words and terms', () => {
  it('splits a query into words at spaces and punctuation, folding full-width forms', () => {
    expect(queryWords('规范性文件 管理')).toEqual(['规范性文件', '管理']);
    expect(queryWords('示政发〔２０２３〕５号')).toEqual(['示政发', '2023', '5号']);
    expect(queryWords('  ')).toEqual([]);
    expect(queryWords('一 二 三 四 五 六 七 八 九 十 十一 十二')).toHaveLength(10);
  });
  it('keeps the terms of the simple search as typed, punctuation included', () => {
    expect(queryTerms('50%_目标  通知')).toEqual(['50%_目标', '通知']);
    expect(queryTerms('ＧＤＰ')).toEqual(['GDP']);
  });
});

describe('matchedTerms', () => {
  it.each([
    ['关于优化营商环境的通知', ['营商环境'], ['营商环境']],
    ['营商和环境', ['营商环境'], ['营商', '环境']],
    ['加强规范性文件管理', ['规范性文件管理办法'], ['规范性文件管理']],
    ['No GDP here', ['gdp'], ['gdp']],
    ['无关文字', ['营商环境'], []],
    ['税', ['税'], ['税']],
  ])('%s with %j', (text, words, terms) => {
    expect(matchedTerms(text, words).sort()).toEqual([...terms].sort());
  });
});

describe('markTerms and buildSnippet', () => {
  it('marks every occurrence, case-insensitively, and escapes the rest', () => {
    expect(markTerms('<b>GDP</b> 与 gdp', ['gdp'])).toBe('&lt;b&gt;<mark>GDP</mark>&lt;/b&gt; 与 <mark>gdp</mark>');
    expect(markTerms('a.b*c', ['.', '*'])).toBe('a<mark>.</mark>b<mark>*</mark>c');
  });

  it('marks the words in the piece and adds … where the text goes on', () => {
    const html = buildSnippet({ text: '为优化营商环境，现\n通知如下<script>', cutStart: true, cutEnd: true }, ['营商环境']);
    expect(html).toBe('…为优化<mark>营商环境</mark>，现通知如下&lt;script&gt;…');
    expect(buildSnippet({ text: '', cutStart: false, cutEnd: false }, ['x'])).toBe('');
  });

  it('orders snippet candidates: whole words first, then pieces from the longest', () => {
    const candidates = snippetCandidates(['营商环境', 'GDP']);
    expect(candidates).toEqual(['营商环境', 'GDP', 'gdp', '营商环', '商环境', '营商', '商环', '环境']);
  });
});

describe('splitIntoChunks', () => {
  it('keeps every character, in order, in pieces of at most the size', () => {
    const text = '第一条 规定。'.repeat(1000) + '🙂'.repeat(300);
    const pieces = splitIntoChunks(text, 997);
    expect(pieces.join('')).toBe(text);
    expect(pieces.every((p) => p.length <= 997)).toBe(true);
    // No surrogate pair is cut.
    expect(pieces.every((p) => !/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(p))).toBe(true);
  });

  it('cuts after a sentence or line end near the end of a piece when there is one', () => {
    const pieces = splitIntoChunks(`${'甲'.repeat(80)}。${'乙'.repeat(50)}`, 100);
    expect(pieces[0]).toBe(`${'甲'.repeat(80)}。`);
  });

  it('returns a short text whole, and one empty piece for an empty text', () => {
    expect(splitIntoChunks('短文本', 100)).toEqual(['短文本']);
    expect(splitIntoChunks('', 100)).toEqual(['']);
  });
});

describe('normalizeForIndex', () => {
  it('removes our highlight markers and layout spaces, and folds full-width digits', () => {
    expect(normalizeForIndex(`静政发〔２０２３〕12 号${HIGHLIGHT_PRE}x${HIGHLIGHT_POST}`)).toBe('静政发〔2023〕12号x');
  });
});

describe('spaceDigits', () => {
  it.each([
    ['项目编号31415926的申报', '项目编号 31415926 的申报'],
    ['2023年第12345号', '2023 年第 12345 号'],
    ['1年2月3日', '1 年 2 月 3 日'],
    ['第 5 条', '第 5 条'],
    ['〔2023〕12号', '〔2023〕12 号'],
    ['GB2760标准', 'GB2760 标准'],
    ['没有数字', '没有数字'],
    ['3.5万元', '3.5 万元'],
  ])('%s → %s', (text, spaced) => {
    expect(spaceDigits(text)).toBe(spaced);
  });
});

describe('snippetFromHead', () => {
  const window = { width: 20, lead: 5, headLimit: 100 };
  it('starts at the text when the match is near the start', () => {
    expect(snippetFromHead('一二三营商环境四五六七八九十甲乙丙丁戊己庚辛壬癸', ['营商环境'], window)).toEqual({
      text: '一二三营商环境四五六七八九十甲乙丙丁戊己',
      cutStart: false,
      cutEnd: true,
    });
  });
  it('starts `lead` characters before a later match', () => {
    const head = `${'甲'.repeat(40)}营商环境${'乙'.repeat(5)}`;
    expect(snippetFromHead(head, ['营商环境'], window)).toEqual({ text: `${'甲'.repeat(5)}营商环境${'乙'.repeat(5)}`, cutStart: true, cutEnd: false });
  });
  it('takes candidates in order and is null when none is in the head', () => {
    expect(snippetFromHead('只有环境二字', ['营商环境', '环境'], window)?.text).toBe('只有环境二字');
    expect(snippetFromHead('无关', ['营商环境'], window)).toBeNull();
  });
  it('says the text goes on when the head was cut at its limit', () => {
    const head = '字'.repeat(100);
    expect(snippetFromHead(head, [], { ...window, width: 200 })?.cutEnd).toBe(true);
    expect(snippetFromHead('字'.repeat(98), [], { ...window, width: 200 })?.cutEnd).toBe(false);
  });
});
