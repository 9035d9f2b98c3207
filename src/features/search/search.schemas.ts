import { DOCUMENT_STATUSES } from '../../shared/document-status.js';
import { MAX_DOC_YEAR, MIN_DOC_YEAR } from '../../shared/doc-number.js';
import { idParam, isoDate, listParam, paging, requiredText, text, z } from '../../http/validation.js';
import { RECORD_KINDS } from './record-kind.js';
import { MAX_RESULTS } from './search-query.js';

const year = z
  .string()
  .regex(/^\d{4}$/, { error: '年份应为四位数字' })
  .transform(Number)
  .pipe(
    z
      .number()
      .min(MIN_DOC_YEAR, { error: `年份应在 ${MIN_DOC_YEAR} 到 ${MAX_DOC_YEAR} 之间` })
      .max(MAX_DOC_YEAR, { error: `年份应在 ${MIN_DOC_YEAR} 到 ${MAX_DOC_YEAR} 之间` }),
  );

/** GET /api/v1/search and the results page take the same query string. */
export const searchQuery = z
  .object({
    q: text('检索词', 200).optional().default(''),
    kind: listParam(z.enum(RECORD_KINDS, { error: `类别应为：${RECORD_KINDS.join('、')}` })),
    status: listParam(z.enum(DOCUMENT_STATUSES, { error: `效力状态应为：${DOCUMENT_STATUSES.join('、')}` })),
    organ_id: listParam(idParam('机关编号')),
    topic: listParam(requiredText('主题分类', 50)),
    year: listParam(year),
    type: z.enum(['document', 'interpretation'], { error: '范围应为 document（文件）或 interpretation（政策解读）' }).optional(),
    scope: z.enum(['title', 'all'], { error: '检索位置应为 title（标题）或 all（全文）' }).optional(),
    signed_from: isoDate('成文日期起').optional(),
    signed_to: isoDate('成文日期止').optional(),
    published_from: isoDate('发布日期起').optional(),
    published_to: isoDate('发布日期止').optional(),
    sort: z.enum(['relevance', 'date'], { error: '排序应为 relevance（相关度）或 date（发布日期）' }).optional().default('relevance'),
    ...paging,
  })
  .superRefine((v, ctx) => {
    for (const [from, to, label] of [['signed_from', 'signed_to', '成文日期'], ['published_from', 'published_to', '发布日期']] as const) {
      const start = v[from];
      const end = v[to];
      if (start && end && start > end) ctx.addIssue({ code: 'custom', path: [to], message: `${label}的结束日期不能早于开始日期` });
    }
    if (v.page * v.page_size > MAX_RESULTS) {
      ctx.addIssue({
        code: 'custom',
        path: ['page'],
        message: `只能查看前 ${MAX_RESULTS} 条结果（每页 ${v.page_size} 条时最多第 ${Math.floor(MAX_RESULTS / v.page_size)} 页），请增加检索词或筛选条件`,
      });
    }
  });

const facetValue = <T extends z.ZodType>(value: T) => z.array(z.object({ value, label: z.string(), count: z.number().int() }));

export const searchResponse = z.object({
  mode: z.enum(['full', 'basic']).describe('full：全文检索；basic：检索服务暂不可用时的简易检索'),
  total: z.number().int(),
  page: z.number().int(),
  page_size: z.number().int(),
  doc_number: z.string().nullable().describe('检索词被识别为文号时，其规范写法'),
  hits: z.array(
    z.object({
      type: z.enum(['document', 'interpretation']),
      id: z.number().int(),
      title: z.string(),
      doc_number: z.string().nullable(),
      status: z.enum(DOCUMENT_STATUSES).nullable(),
      snippet: z.string().describe('安全的 HTML：文本已转义，仅含 <mark> 标记'),
      status_label: z.string().nullable(),
      kind: z.enum(RECORD_KINDS),
      kind_label: z.string(),
      organ_name: z.string().nullable(),
      published_on: z.string().nullable(),
      title_html: z.string().describe('安全的 HTML：标题已转义，仅含 <mark> 标记'),
      url: z.string(),
    }),
  ),
  facets: z.object({
    kind: facetValue(z.enum(RECORD_KINDS)).optional(),
    status: facetValue(z.enum(DOCUMENT_STATUSES)).optional(),
    organ_id: facetValue(z.number().int()).optional(),
    topic: facetValue(z.string()).optional(),
    year: facetValue(z.number().int()).optional(),
  }),
});
