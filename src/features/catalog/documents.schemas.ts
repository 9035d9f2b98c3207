import { DOCUMENT_KINDS, DOCUMENT_STATUSES, KIND_LABELS, STATUS_LABELS } from '../../shared/document-status.js';
import { id, idParam, isoDate, listParam, paging, requiredText, text, z } from '../../http/validation.js';

// The messages name the kinds and statuses as people say them, never the API's values.
const kind = z.enum(DOCUMENT_KINDS, { error: `文件类别应为${Object.values(KIND_LABELS).join('、')}之一` });
const status = z.enum(DOCUMENT_STATUSES, { error: `效力状态应为${Object.values(STATUS_LABELS).join('、')}之一` });

const documentFields = {
  kind,
  title: requiredText('标题', 500),
  doc_number: text('文号', 100).nullable().transform((v) => (v ? v : null)),
  index_number: text('索引号', 100).nullable().transform((v) => (v ? v : null)),
  organ_id: id('发文机关'),
  co_organ_ids: z.array(id('联合发文机关'), { error: '联合发文机关应为机关编号数组' }).max(20),
  signed_on: isoDate('成文日期').nullable(),
  published_on: isoDate('发布日期').nullable(),
  effective_on: isoDate('施行日期').nullable(),
  expires_on: isoDate('有效期至').nullable(),
  topics: z.array(requiredText('主题分类', 50), { error: '主题分类应为文本数组' }).max(20),
  body: text('正文', 5_000_000),
};

export const createDocumentBody = z
  .object({
    kind: documentFields.kind,
    title: documentFields.title,
    organ_id: documentFields.organ_id,
    doc_number: documentFields.doc_number.optional(),
    index_number: documentFields.index_number.optional(),
    co_organ_ids: documentFields.co_organ_ids.optional(),
    signed_on: documentFields.signed_on.optional(),
    published_on: documentFields.published_on.optional(),
    effective_on: documentFields.effective_on.optional(),
    expires_on: documentFields.expires_on.optional(),
    topics: documentFields.topics.optional(),
    body: documentFields.body.optional(),
  })
  .strict();

export const updateDocumentBody = z
  .object(documentFields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { error: '没有要修改的字段' });

export const documentIdParams = z.object({ id: idParam('文件编号') });
export const documentFileParams = z.object({ id: idParam('文件编号'), file_id: idParam('原件编号') });

export const listDocumentsQuery = z.object({
  q: text('关键词或文号', 200).optional(),
  kind: listParam(kind),
  status: listParam(status),
  organ_id: listParam(idParam('机关编号')),
  as_of: isoDate('as_of').optional(),
  ...paging,
});

export const repealBody = z
  .object({
    repealed_on: isoDate('废止日期'),
    by_document_id: id('废止依据文件').optional(),
    by_doc_number: requiredText('废止依据文件的文号', 100).optional(),
    reason: text('废止原因', 1000).optional(),
  })
  .strict()
  .refine((v) => v.by_document_id === undefined || v.by_doc_number === undefined, {
    error: '废止依据文件请只填一项：文件或文号',
    path: ['by_doc_number'],
  });

export const relationBody = z
  .object({
    relation: z.literal('amends', { error: '关系类型应为 amends（废止与替代请使用废止接口）' }),
    target_id: id('被修改文件'),
  })
  .strict();

export const asOfQuery = z.object({ as_of: isoDate('as_of').optional() });
