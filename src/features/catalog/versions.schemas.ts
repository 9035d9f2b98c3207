import { id, idParam, isoDate, text, z } from '../../http/validation.js';

export const newVersionBody = z
  .object({
    amended_by_document_id: id('修改文件').optional(),
    amended_by_doc_number: text('修改文件文号', 100).optional(),
    effective_on: isoDate('修改后文本施行日期'),
    body: text('修改后文本', 5_000_000).optional(),
    note: text('说明', 1000).optional(),
  })
  .strict()
  .refine((v) => (v.amended_by_document_id === undefined) !== !v.amended_by_doc_number, {
    error: '请给出修改文件：amended_by_document_id 或 amended_by_doc_number 二者之一',
    path: ['amended_by_doc_number'],
  });

export const versionParams = z.object({ id: idParam('文件编号'), n: idParam('版本号') });

export const compareQuery = z.object({ from: idParam('起始版本号'), to: idParam('对比版本号') });
