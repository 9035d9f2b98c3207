import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/errors.js';
import type { Actor } from '../../src/features/accounts/actor.js';
import { fixedClock } from '../../src/platform/clock.js';
import { createTestContext, type TestContext } from '../support/context.js';

let ctx: TestContext;
let admin: Actor;
let organ: number;
let other: number;

const ORGAN = '静乐县市场监督管理局';
const OTHER = '静乐县自然资源局';

beforeAll(async () => {
  ctx = await createTestContext({ clock: fixedClock('2024-06-30') });
  ({ actor: admin } = await ctx.user('admin'));
  organ = (await ctx.services.organs.create(admin, { name: ORGAN, short_name: '县市场监管局' })).id;
  other = (await ctx.services.organs.create(admin, { name: OTHER })).id;
});
afterAll(() => ctx?.close());
beforeEach(async () => {
  await ctx.db.deleteFrom('decisions').execute();
  await ctx.db.deleteFrom('fees').execute();
});

const csv = (lines: string[]) => `${lines.join('\r\n')}\r\n`;
const file = (bytes: Buffer, name = '导入.csv') => ({ name, bytes });
const importDecisions = (bytes: Buffer, dryRun = false) => ctx.services.imports.importDecisions(admin, file(bytes), { dryRun });
const importFees = (bytes: Buffer, dryRun = false) => ctx.services.imports.importFees(admin, file(bytes), { dryRun });

async function count(table: 'decisions' | 'fees'): Promise<number> {
  const row = await ctx.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

async function rejection(work: Promise<unknown>): Promise<AppError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

const DECISIONS_ZH = csv([
  '类别,决定书文号,决定日期,实施机关',
  `行政处罚,静市监罚〔2023〕1号,2023/5/12,${ORGAN}`,
  `行政许可,JY11409280012345,2023年6月1日,${ORGAN}`,
  `行政强制,静市监强〔2023〕2号,20231231,${ORGAN}`,
  `行政处罚,静自然罚〔2024〕3号,2024-01-02,${OTHER}`,
]);

describe('decision import: encodings and headers', () => {
  it('reads a GBK CSV as Excel on Chinese Windows writes it', async () => {
    const bytes = iconv.encode(DECISIONS_ZH, 'gbk');
    expect(bytes.includes(Buffer.from('行政处罚', 'utf8'))).toBe(false); // really GBK
    const result = await importDecisions(bytes);
    expect(result).toMatchObject({ inserted: 4, duplicates: 0, errors: [], rows: 4, format: 'csv', dry_run: false });
    const rows = await ctx.db.selectFrom('decisions').select(['kind', 'decision_number', 'decided_on', 'organ_id']).orderBy('id').execute();
    expect(rows).toEqual([
      { kind: 'penalty', decision_number: '静市监罚〔2023〕1号', decided_on: '2023-05-12', organ_id: organ },
      { kind: 'licensing', decision_number: 'JY11409280012345', decided_on: '2023-06-01', organ_id: organ },
      { kind: 'enforcement', decision_number: '静市监强〔2023〕2号', decided_on: '2023-12-31', organ_id: organ },
      { kind: 'penalty', decision_number: '静自然罚〔2024〕3号', decided_on: '2024-01-02', organ_id: other },
    ]);
  });

  it('reads UTF-8 with a BOM and English headers', async () => {
    const text = csv(['kind,decision_number,decided_on,organ', `penalty,"静市监罚〔2023〕7号",2023-05-12,${ORGAN}`, `licensing,"许可,含逗号",2023-05-13,县市场监管局`]);
    const result = await importDecisions(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    expect(result).toMatchObject({ inserted: 2, errors: [] });
    const numbers = await ctx.db.selectFrom('decisions').select(['decision_number', 'organ_id']).orderBy('id').execute();
    // The short name resolves to the organ; a quoted comma stays in the number.
    expect(numbers).toEqual([
      { decision_number: '静市监罚〔2023〕7号', organ_id: organ },
      { decision_number: '许可,含逗号', organ_id: organ },
    ]);
  });

  it('reads UTF-8 without a BOM, and UTF-16 tab-separated text (Excel "Unicode text")', async () => {
    expect(await importDecisions(Buffer.from(DECISIONS_ZH, 'utf8'))).toMatchObject({ inserted: 4 });
    await ctx.db.deleteFrom('decisions').execute();
    const tabbed = DECISIONS_ZH.replaceAll(',', '\t');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(tabbed, 'utf16le')]);
    expect(await importDecisions(utf16)).toMatchObject({ inserted: 4, errors: [] });
  });

  it('reads an XLSX with Excel serial dates, text dates and rich text', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('处理决定');
    sheet.addRow(['类别', '决定书文号', '决定日期', '实施机关']);
    sheet.addRow(['行政处罚', '静市监罚〔2023〕11号', new Date(Date.UTC(2023, 4, 12)), ORGAN]);
    sheet.addRow(['行政处罚', '静市监罚〔2023〕12号', 45059, ORGAN]);
    sheet.addRow(['行政许可', 20230514, '2023年5月14日', { richText: [{ text: '静乐县' }, { text: '市场监督管理局' }] }]);
    sheet.addRow([]);
    sheet.addRow(['行政强制', '静市监强〔2023〕1号', { formula: 'DATE(2023,5,15)', result: 45061 }, ORGAN]);
    sheet.getColumn(3).numFmt = 'yyyy"年"m"月"d"日"';
    workbook.addWorksheet('说明').addRow(['此页不是数据']);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const result = await importDecisions(bytes);
    expect(result).toMatchObject({ inserted: 4, duplicates: 0, errors: [], rows: 4, format: 'xlsx' });
    const rows = await ctx.db.selectFrom('decisions').select(['decision_number', 'decided_on']).orderBy('id').execute();
    expect(rows).toEqual([
      { decision_number: '静市监罚〔2023〕11号', decided_on: '2023-05-12' },
      { decision_number: '静市监罚〔2023〕12号', decided_on: '2023-05-13' },
      { decision_number: '20230514', decided_on: '2023-05-14' },
      { decision_number: '静市监强〔2023〕1号', decided_on: '2023-05-15' },
    ]);
  });

  it('reports XLSX rows by their sheet row number', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('处理决定');
    sheet.addRow(['类别', '决定书文号', '决定日期', '实施机关']);
    sheet.getRow(5).values = ['行政处罚', 'X1', 'not a date', ORGAN];
    const result = await importDecisions(Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(result.errors).toEqual([{ row: 5, message: expect.stringContaining('决定日期“not a date”无法识别') }]);
  });
});

describe('decision import: all or nothing', () => {
  it('stores nothing when one row in the middle of a large file is bad, and reports every bad row', async () => {
    const lines = ['类别,决定书文号,决定日期,实施机关'];
    for (let i = 1; i <= 20_000; i++) lines.push(`行政处罚,静市监罚〔2023〕${i}号,2023-03-${String((i % 28) + 1).padStart(2, '0')},${ORGAN}`);
    lines[10_001] = `行政处罚,静市监罚〔2023〕10001号,2023-02-30,${ORGAN}`; // row 10002 in the sheet
    lines[15_000] = `行政处分,静市监罚〔2023〕15000号,2023-03-01,不存在的机关`; // row 15001
    const audit = () => ctx.db.selectFrom('audit_log').where('action', '=', 'decision.import').select('id').execute();
    const auditBefore = await audit();
    const result = await importDecisions(Buffer.from(csv(lines), 'utf8'));
    expect(result.inserted).toBe(0);
    expect(result.rows).toBe(20_000);
    expect(result.errors).toEqual([
      { row: 10_002, message: '决定日期“2023-02-30”不是真实存在的日期' },
      { row: 15_001, message: expect.stringContaining('类别“行政处分”') },
    ]);
    expect(await count('decisions')).toBe(0);
    expect(await audit()).toEqual(auditBefore);
  });

  it('names an unknown organ', async () => {
    const result = await importDecisions(Buffer.from(csv(['类别,决定书文号,决定日期,实施机关', '行政处罚,A1,2023-01-01,静乐县税务局']), 'utf8'));
    expect(result.errors).toEqual([{ row: 2, message: expect.stringContaining('实施机关“静乐县税务局”不存在') }]);
  });

  it('refuses a file without the needed columns', async () => {
    const result = await importDecisions(Buffer.from(csv(['类别,文号,日期', '行政处罚,A1,2023-01-01']), 'utf8'));
    expect(result).toMatchObject({ inserted: 0, errors: [{ row: 1, message: expect.stringContaining('缺少列') }] });
  });

  it('refuses an empty file, a file with nothing in it, a binary file, an old .xls and a broken CSV', async () => {
    expect((await rejection(importDecisions(Buffer.alloc(0)))).status).toBe(400);
    expect((await importDecisions(Buffer.from('\r\n\r\n'))).errors).toEqual([{ row: 1, message: expect.stringContaining('没有内容') }]);
    expect((await rejection(importDecisions(Buffer.from([0x00, 0x01, 0x02, 0x03, 0x04])))).status).toBe(415);
    expect((await rejection(importDecisions(Buffer.from('d0cf11e0a1b11ae1000000', 'hex')))).status).toBe(415);
    const broken = await rejection(importDecisions(Buffer.from(csv(['类别,决定书文号,决定日期,实施机关', `行政处罚,"A1,2023-01-01,${ORGAN}`]), 'utf8')));
    expect(broken.status).toBe(400);
    expect(broken.message).toContain('引号没有闭合');
    const zip = await rejection(importDecisions(Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('word/document.xml')])));
    expect(zip.status).toBe(415);
    expect(await count('decisions')).toBe(0);
  });

  it('points at the row with bytes that are not GBK either', async () => {
    const gbk = (text: string) => iconv.encode(text, 'gbk');
    const bytes = Buffer.concat([gbk('类别,决定书文号,决定日期,实施机关\r\n'), Buffer.from([0xff]), gbk(`,A1,2023-01-01,${ORGAN}\r\n`)]);
    const result = await importDecisions(bytes);
    expect(result.errors).toEqual([{ row: 2, message: expect.stringContaining('无法识别的字符') }]);
  });

  it('hints at a damaged UTF-8 file when its header no longer reads', async () => {
    const bytes = Buffer.concat([Buffer.from('类别,决定书文号,决定日期,实施机关\r\n', 'utf8'), Buffer.from([0xff])]);
    const result = await importDecisions(bytes);
    expect(result.errors).toEqual([{ row: 1, message: expect.stringContaining('如果它是 UTF-8 文件，其中有损坏的字节') }]);
  });

  it('is for report compilers and admins only', async () => {
    const { actor: editor } = await ctx.user('editor');
    const error = await rejection(ctx.services.imports.importDecisions(editor, file(Buffer.from(DECISIONS_ZH)), { dryRun: false }));
    expect(error.status).toBe(403);
    const { actor: compiler } = await ctx.user('compiler');
    expect(await ctx.services.imports.importDecisions(compiler, file(Buffer.from(DECISIONS_ZH)), { dryRun: false })).toMatchObject({ inserted: 4 });
  });
});

describe('decision import: idempotent', () => {
  it('counts a repeated decision once, within a file and across imports, whatever its spelling', async () => {
    const lines = [
      '类别,决定书文号,决定日期,实施机关',
      `行政处罚,静市监罚〔2023〕1号,2023-05-12,${ORGAN}`,
      `行政处罚,静市监罚[2023]001号,2023-05-12,${ORGAN}`, // the same number
      `行政许可,静市监罚〔2023〕1号,2023-05-12,${ORGAN}`, // another kind: another decision
      `行政处罚,静市监罚〔2023〕1号,2023-05-12,${OTHER}`, // another organ: another decision
      `行政处罚,静市监罚〔2023〕2号,2023-05-13,${ORGAN}`,
    ];
    const bytes = Buffer.from(csv(lines), 'utf8');
    expect(await importDecisions(bytes)).toMatchObject({ inserted: 4, duplicates: 1, rows: 5 });
    expect(await importDecisions(bytes)).toMatchObject({ inserted: 0, duplicates: 5, rows: 5 });
    expect(await count('decisions')).toBe(4);
    const audit = await ctx.db.selectFrom('audit_log').select(['after']).where('action', '=', 'decision.import').orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(audit.after).toMatchObject({ file_name: '导入.csv', rows: 5, inserted: 0, duplicates: 5, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('shows on a dry run what would be stored, and stores nothing', async () => {
    await importDecisions(Buffer.from(csv(['类别,决定书文号,决定日期,实施机关', `行政处罚,静市监罚〔2023〕1号,2023-05-12,${ORGAN}`]), 'utf8'));
    const dry = await importDecisions(Buffer.from(DECISIONS_ZH, 'utf8'), true);
    expect(dry).toMatchObject({ inserted: 3, duplicates: 1, errors: [], dry_run: true });
    expect(dry.preview).toHaveLength(4);
    expect(dry.preview?.[1]).toEqual({
      kind: 'licensing',
      kind_label: '行政许可',
      decision_number: 'JY11409280012345',
      decided_on: '2023-06-01',
      organ: { id: organ, name: ORGAN },
    });
    expect(await count('decisions')).toBe(1);
    expect(await importDecisions(Buffer.from(DECISIONS_ZH, 'utf8'))).toMatchObject({ inserted: 3, duplicates: 1 });
  });

  it('reports the errors of a dry run too', async () => {
    const result = await importDecisions(Buffer.from(csv(['类别,决定书文号,决定日期,实施机关', `行政处罚,A,2024-07-01,${ORGAN}`]), 'utf8'), true);
    expect(result).toMatchObject({ dry_run: true, inserted: 0, errors: [{ row: 2, message: expect.stringContaining('晚于今天') }] });
  });
});

describe('fee import', () => {
  const FEES = [
    '实施机关,收费项目,金额（元）,收费日期',
    `${OTHER},不动产登记费,80,2023/7/1`,
    `${OTHER},不动产登记费,80,2023/7/1`, // a second, equal payment that day
    `${OTHER},不动产登记费,0.29,2023-07-02`,
    `${ORGAN},工本费,"1,234.56",2023年12月31日`,
  ];

  it('stores amounts exactly in fen and keeps equal payments apart', async () => {
    const result = await importFees(iconv.encode(csv(FEES), 'gbk'));
    expect(result).toMatchObject({ inserted: 4, duplicates: 0, errors: [] });
    const rows = await ctx.db.selectFrom('fees').select(['item', 'amount_fen', 'collected_on', 'occurrence']).orderBy('id').execute();
    expect(rows).toEqual([
      { item: '不动产登记费', amount_fen: '8000', collected_on: '2023-07-01', occurrence: 1 },
      { item: '不动产登记费', amount_fen: '8000', collected_on: '2023-07-01', occurrence: 2 },
      { item: '不动产登记费', amount_fen: '29', collected_on: '2023-07-02', occurrence: 1 },
      { item: '工本费', amount_fen: '123456', collected_on: '2023-12-31', occurrence: 1 },
    ]);
  });

  it('counts nothing twice on a re-import, and only the new rows of a longer file', async () => {
    await importFees(Buffer.from(csv(FEES), 'utf8'));
    expect(await importFees(Buffer.from(csv(FEES), 'utf8'))).toMatchObject({ inserted: 0, duplicates: 4 });
    const longer = [...FEES, `${OTHER},不动产登记费,80,2023/7/1`, `${OTHER},不动产登记费,80,2023/7/3`];
    expect(await importFees(Buffer.from(csv(longer), 'utf8'))).toMatchObject({ inserted: 2, duplicates: 4 });
    expect(await count('fees')).toBe(6);
  });

  it('uses the receipt number as the key when the ledger has one', async () => {
    const lines = [
      '实施机关,收费项目,金额（元）,收费日期,票据号',
      `${OTHER},不动产登记费,80,2023-07-01,No.001`,
      `${OTHER},不动产登记费,80,2023-07-01,No.002`,
      `${OTHER},不动产登记费,80,2023-07-01,No.001`,
    ];
    expect(await importFees(Buffer.from(csv(lines), 'utf8'))).toMatchObject({ inserted: 2, duplicates: 1 });
  });

  it('reads XLSX number cells and serial dates', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('收费');
    sheet.addRow(['organ', 'item', 'amount_yuan', 'collected_on']);
    sheet.addRow([OTHER, '不动产登记费', 80, 45108]);
    sheet.addRow([OTHER, '不动产登记费', { formula: '0.1+0.2', result: 0.1 + 0.2 }, 45109]);
    const result = await importFees(Buffer.from(await workbook.xlsx.writeBuffer()));
    expect(result).toMatchObject({ inserted: 2, errors: [] });
    const rows = await ctx.db.selectFrom('fees').select(['amount_fen', 'collected_on']).orderBy('id').execute();
    expect(rows).toEqual([
      { amount_fen: '8000', collected_on: '2023-07-01' },
      { amount_fen: '30', collected_on: '2023-07-02' },
    ]);
  });

  it('lists every bad amount and stores nothing', async () => {
    const lines = ['实施机关,收费项目,金额（元）,收费日期', `${OTHER},A,1.234,2023-07-01`, `${OTHER},B,80,2023-07-01`, `${OTHER},C,¥12,2023-07-01`, `${OTHER},,,2023-07-01`];
    const result = await importFees(Buffer.from(csv(lines), 'utf8'));
    expect(result.errors.map((e) => e.row)).toEqual([2, 4, 5]);
    expect(result.errors[2]!.message).toContain('收费项目不能为空');
    expect(result.errors[2]!.message).toContain('金额不能为空');
    expect(await count('fees')).toBe(0);
  });
});

describe('manual entry', () => {
  it('stores a decision and refuses the same one twice', async () => {
    const input = { kind: 'penalty' as const, decision_number: '静市监罚〔2023〕9号', decided_on: '2023-09-09', organ_id: organ };
    expect(await ctx.services.imports.createDecision(admin, input)).toMatchObject({ kind_label: '行政处罚', organ: { id: organ, name: ORGAN } });
    const error = await rejection(ctx.services.imports.createDecision(admin, { ...input, decision_number: '静市监罚[2023]09号' }));
    expect(error.status).toBe(409);
    expect(error.message).toContain('静市监罚〔2023〕9号');
    expect((await rejection(ctx.services.imports.createDecision(admin, { ...input, decided_on: '2030-01-01' }))).fields).toHaveProperty('decided_on');
    expect((await rejection(ctx.services.imports.createDecision(admin, { ...input, organ_id: 999_999 }))).fields).toHaveProperty('organ_id');
  });

  it('stores a fee as a new payment each time, unless its receipt number is known', async () => {
    const input = { organ_id: other, item: '工本费', amount_yuan: '10.5', collected_on: '2023-08-01' };
    expect(await ctx.services.imports.createFee(admin, input)).toMatchObject({ amount_fen: 1050, amount_yuan: '10.50' });
    await ctx.services.imports.createFee(admin, input);
    expect(await ctx.db.selectFrom('fees').select('occurrence').orderBy('id').execute()).toEqual([{ occurrence: 1 }, { occurrence: 2 }]);
    // Importing the ledger of that day afterwards finds both payments already stored.
    const ledger = ['实施机关,收费项目,金额（元）,收费日期', `${OTHER},工本费,10.50,2023-08-01`, `${OTHER},工本费,10.50,2023-08-01`];
    expect(await importFees(Buffer.from(csv(ledger), 'utf8'))).toMatchObject({ inserted: 0, duplicates: 2 });
    await ctx.services.imports.createFee(admin, { ...input, receipt_number: 'R1' });
    expect((await rejection(ctx.services.imports.createFee(admin, { ...input, receipt_number: 'R1' }))).status).toBe(409);
    expect((await rejection(ctx.services.imports.createFee(admin, { ...input, amount_yuan: '1.001' }))).fields).toEqual({ amount_yuan: expect.stringContaining('两位小数') });
  });
});
