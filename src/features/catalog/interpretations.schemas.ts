import { id, idParam, isoDate, paging, requiredText, text, z } from '../../http/validation.js';

const fields = {
  title: requiredText('标题', 500),
  body: text('正文', 2_000_000),
  published_on: isoDate('发布日期'),
  document_ids: z
    .array(id('关联文件'), { error: '关联文件应为文件编号数组' })
    .min(1, { error: '政策解读至少应关联一个文件' })
    .max(50),
};

/** A new interpretation, from the API and from the workspace's form on a document's page. */
export const createInterpretationBody = z.object(fields).strict();

export const updateInterpretationBody = z
  .object(fields)
  .partial()
  .strict()
  .refine((v) => Object.keys(v).length > 0, { error: '没有要修改的字段' });

export const interpretationIdParams = z.object({ id: idParam('政策解读编号') });

export const listInterpretationsQuery = z.object(paging);
