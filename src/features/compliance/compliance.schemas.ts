import { EXPIRY_DECISIONS } from './compliance.js';
import { idParam, isoDate, text, z } from '../../http/validation.js';

/** An optional query or form value: a select left on "全部" or an empty box sends ''. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

const boundedInt = (label: string, min: number, max: number) =>
  z
    .string({ error: `${label}应为整数` })
    .regex(/^\d{1,4}$/, { error: `${label}应为 ${min} 到 ${max} 之间的整数` })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `${label}不能小于 ${min}` }).max(max, { error: `${label}不能大于 ${max}` }));

const yearParam = (label: string) => boundedInt(label, 1949, 2100);

export const complianceQuery = z.object({
  from: optional(yearParam('起始年度')),
  to: optional(yearParam('截止年度')),
  organ_id: optional(idParam('机关编号')),
  lag_days: optional(boundedInt('解读滞后天数', 0, 3650)),
});

export const expiringQuery = z.object({
  window_months: optional(boundedInt('评估窗口月数', 1, 60)),
  organ_id: optional(idParam('机关编号')),
});

const EXPORT_TABLES = ['summary', 'timeliness', 'uncovered', 'flagged', 'expiring'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];

export const exportQuery = complianceQuery.extend({
  table: z.enum(EXPORT_TABLES, { error: `导出表应为：${EXPORT_TABLES.join('、')}` }).default('summary'),
  window_months: expiringQuery.shape.window_months,
});

export const documentIdParams = z.object({ id: idParam('文件编号') });

const decision = z.enum(EXPIRY_DECISIONS, { error: '请选择评估决定：延长有效期、予以修订、到期自然失效或予以废止' });

export const expiryReviewBody = z
  .object({
    decision,
    decided_on: isoDate('决定日期').optional(),
    note: text('说明', 1000).optional(),
    new_expires_on: isoDate('新的有效期至').optional(),
  })
  .strict();

/** The same fields from an HTML form, where an empty box means "not given". */
export const expiryReviewForm = z.object({
  decision,
  decided_on: optional(isoDate('决定日期')),
  note: optional(text('说明', 1000)),
  new_expires_on: optional(isoDate('新的有效期至')),
});
