import { DECISION_KINDS } from './article20.js';
import { ARTICLE20_CELLS } from './article20-form.js';
import { MIN_IMPORT_YEAR } from './article20-import.js';
import { id, idParam, isoDate, paging, requiredText, text, z } from '../../http/validation.js';

// No decision, fee or date of ours is earlier than MIN_IMPORT_YEAR; later than today is refused by the service.
const MIN_REPORT_YEAR = MIN_IMPORT_YEAR;
const MAX_REPORT_YEAR = 2100;

export const yearParam = (label: string) =>
  z
    .string({ error: `${label}应为四位数年份` })
    .regex(/^\d{4}$/, { error: `${label}应为四位数年份，如 2023` })
    .transform(Number)
    .pipe(
      z
        .number()
        .min(MIN_REPORT_YEAR, { error: `${label}不能早于 ${MIN_REPORT_YEAR} 年` })
        .max(MAX_REPORT_YEAR, { error: `${label}不能晚于 ${MAX_REPORT_YEAR} 年` }),
    );

export const booleanParam = (label: string) =>
  z
    .enum(['true', 'false', '1', '0'], { error: `${label}应为 true 或 false` })
    .transform((v) => v === 'true' || v === '1')
    .optional()
    .default(false);

const scope = {
  year: yearParam('年份（year）'),
  organ_id: idParam('机关编号（organ_id）'),
  subtree: booleanParam('是否包含下级机关（subtree）'),
};

const REPORT_FORMATS = ['json', 'xlsx', 'csv', 'docx'] as const;

export const article20Query = z.object({
  ...scope,
  format: z.enum(REPORT_FORMATS, { error: `导出格式应为 ${REPORT_FORMATS.join('、')} 之一` }).optional().default('json'),
});

export const article20CellsQuery = z.object({
  ...scope,
  cell: z.enum(ARTICLE20_CELLS, { error: `cell 应为 ${ARTICLE20_CELLS.join('、')} 之一` }),
  ...paging,
});

export const article20YearsQuery = z.object({
  organ_id: scope.organ_id,
  subtree: scope.subtree,
  from: yearParam('起始年份（from）'),
  to: yearParam('结束年份（to）'),
});

export const importQuery = z.object({ dry_run: booleanParam('试导入（dry_run）') });

export const createDecisionBody = z
  .object({
    kind: z.enum(DECISION_KINDS, { error: `类别应为 ${DECISION_KINDS.join('、')} 之一` }),
    decision_number: requiredText('决定书文号', 200),
    decided_on: isoDate('决定日期'),
    organ_id: id('实施机关'),
  })
  .strict();

export const createFeeBody = z
  .object({
    organ_id: id('实施机关'),
    item: requiredText('收费项目', 200),
    // Text, not a JSON number: 0.29 as a float is 0.28999…; yuanToFen reads the digits exactly.
    amount_yuan: requiredText('金额', 40),
    collected_on: isoDate('收费日期'),
    receipt_number: text('票据号', 100).nullish(),
  })
  .strict();
