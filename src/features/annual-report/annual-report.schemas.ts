import { yuanToFen } from '../article20/article20.js';
import { booleanParam, yearParam } from '../article20/reports.schemas.js';
import { id, idParam, isoDate, paging, requiredText, text, z } from '../../http/validation.js';
import { ANNUAL_CELLS, APPEAL_KINDS, APPEAL_RESULTS, APPLICANT_TYPES, OUTCOMES } from './annual-report.js';

const OUTCOME_GROUPS = ['withheld', 'unavailable', 'not_processed', 'other'] as const;

const applicantType = z.enum(APPLICANT_TYPES, { error: `申请人类型应为 ${APPLICANT_TYPES.join('、')} 之一` });
const outcome = z.enum(OUTCOMES as [string, ...string[]], { error: '办理结果应为年报表格中的一种（如 disclosed、withheld.state_secret）' });
const optionalDate = (label: string) => isoDate(label).nullish().transform((v) => v ?? null);

/** 信息处理费 as text in yuan ("12.50"), stored in fen. */
const feeYuan = z
  .string({ error: '信息处理费应为以元为单位的文本，如 "12.50"' })
  .nullish()
  .transform((v, ctx) => {
    if (v === null || v === undefined || v.trim() === '') return null;
    try {
      return yuanToFen(v);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof RangeError ? error.message : '信息处理费有误' });
      return z.NEVER;
    }
  });

const requestFields = {
  organ_id: id('受理机关（organ_id）'),
  number: requiredText('申请编号', 100),
  received_on: isoDate('收到日期'),
  applicant_type: applicantType,
  subject: text('申请内容', 500).nullish().transform((v) => v || null),
  correction_asked_on: optionalDate('补正告知日期'),
  correction_received_on: optionalDate('补正收到日期'),
  extended_on: optionalDate('延期日期'),
  concluded_on: optionalDate('办结日期'),
  outcome: outcome.nullish().transform((v) => (v ?? null) as (typeof OUTCOMES)[number] | null),
  fee_fen: feeYuan,
};

export const createRequestBody = z
  .object({ ...requestFields, fee_yuan: requestFields.fee_fen })
  .omit({ fee_fen: true })
  .strict()
  .transform(({ fee_yuan, ...rest }) => ({ ...rest, fee_fen: fee_yuan }));

/** Only the fields sent are changed: an absent field keeps its value, null clears it. */
export const patchRequestBody = z
  .object({
    organ_id: requestFields.organ_id.optional(),
    number: requestFields.number.optional(),
    received_on: requestFields.received_on.optional(),
    applicant_type: applicantType.optional(),
    subject: text('申请内容', 500).nullable().optional(),
    correction_asked_on: isoDate('补正告知日期').nullable().optional(),
    correction_received_on: isoDate('补正收到日期').nullable().optional(),
    extended_on: isoDate('延期日期').nullable().optional(),
    concluded_on: isoDate('办结日期').nullable().optional(),
    outcome: outcome.nullable().optional(),
    fee_yuan: feeYuan.optional(),
  })
  .strict()
  .transform(({ fee_yuan, outcome: o, ...rest }) => {
    const patch = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
    return {
      ...patch,
      ...(o !== undefined ? { outcome: o as (typeof OUTCOMES)[number] | null } : {}),
      ...(fee_yuan !== undefined ? { fee_fen: fee_yuan } : {}),
    };
  });

const appealKind = z.enum(APPEAL_KINDS, { error: `案件类型应为 ${APPEAL_KINDS.join('、')} 之一` });
const appealResult = z.enum(APPEAL_RESULTS, { error: `结果应为 ${APPEAL_RESULTS.join('、')} 之一` });

export const createAppealBody = z
  .object({
    organ_id: id('被申请机关（organ_id）'),
    number: requiredText('案件编号', 100),
    kind: appealKind,
    filed_on: isoDate('立案日期'),
    concluded_on: optionalDate('审结日期'),
    result: appealResult.nullish().transform((v) => v ?? null),
  })
  .strict();

export const patchAppealBody = z
  .object({
    organ_id: id('被申请机关（organ_id）').optional(),
    number: requiredText('案件编号', 100).optional(),
    kind: appealKind.optional(),
    filed_on: isoDate('立案日期').optional(),
    concluded_on: isoDate('审结日期').nullable().optional(),
    result: appealResult.nullable().optional(),
  })
  .strict()
  .transform((body) => Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined)));

const optionalBoolean = (label: string) =>
  z
    .enum(['true', 'false'], { error: `${label}应为 true 或 false` })
    .transform((v) => v === 'true')
    .optional();

const registerFilter = {
  organ_id: idParam('机关编号（organ_id）').optional(),
  subtree: booleanParam('是否包含下级机关（subtree）'),
  year: yearParam('年份（year）').optional(),
  open: optionalBoolean('是否只看未办结（open）'),
  q: text('关键词', 100).optional(),
  ...paging,
};

export const requestListQuery = z.object({
  ...registerFilter,
  applicant_type: applicantType.optional(),
  outcome: z.enum([...OUTCOMES, ...OUTCOME_GROUPS] as string[] as [string, ...string[]], { error: '办理结果应为年报表格中的一种' }).optional(),
});

export const appealListQuery = z.object({ ...registerFilter, kind: appealKind.optional() });

export const idParams = z.object({ id: idParam('编号') });

const annualScope = {
  year: yearParam('年份（year）'),
  organ_id: idParam('机关编号（organ_id）'),
  subtree: booleanParam('是否包含下级机关（subtree）'),
};

export const annualQuery = z.object({
  ...annualScope,
  format: z.enum(['json', 'docx', 'xlsx'], { error: '导出格式应为 json、docx、xlsx 之一' }).optional().default('json'),
});

export const annualCellQuery = z.object({
  ...annualScope,
  cell: z.enum(ANNUAL_CELLS as [string, ...string[]], { error: 'cell 应为第三、四部分表格中的一格，如 requests.received.natural_person' }),
  ...paging,
});

export const publishedQuery = z.object({
  ...annualScope,
  format: z.enum(['json', 'docx'], { error: '格式应为 json 或 docx' }).optional().default('json'),
});

const sectionText = (label: string) => text(label, 20_000);

export const textsBody = z
  .object({
    organ_id: id('机关（organ_id）'),
    year: z.number({ error: '年份应为四位数' }).int().min(1950, { error: '年份不能早于 1950 年' }).max(2100, { error: '年份不能晚于 2100 年' }),
    one: sectionText('第一部分（总体情况）'),
    five: sectionText('第五部分（问题及改进）'),
    six: sectionText('第六部分（其他事项）'),
  })
  .strict();

export const finaliseBody = z
  .object({
    organ_id: id('机关（organ_id）'),
    year: textsBody.shape.year,
    subtree: z.boolean({ error: 'subtree 应为 true 或 false' }).optional().default(false),
  })
  .strict();
