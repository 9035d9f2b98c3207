import { DOCUMENT_KINDS } from '../../shared/document-status.js';
import { idParam, isoDate, listParam, z } from '../../http/validation.js';
import { booleanParam } from '../article20/reports.schemas.js';
import { CATALOG_FORMATS } from './catalog-export.js';

const kind = z.enum(DOCUMENT_KINDS, { error: `文件类别应为：${DOCUMENT_KINDS.join('、')}` });

const scope = {
  organ_id: idParam('机关编号（organ_id）').optional(),
  subtree: booleanParam('是否包含下级机关（subtree）'),
  // A county's 目录 lists its normative documents unless asked for more.
  kind: listParam(kind).transform((kinds) => (kinds?.length ? [...new Set(kinds)] : ['normative' as const])),
  format: z.enum(CATALOG_FORMATS, { error: `导出格式应为 ${CATALOG_FORMATS.join('、')} 之一` }).optional().default('json'),
};

export const inForceCatalogQuery = z.object({ ...scope, as_of: isoDate('as_of').optional() });
export const endedCatalogQuery = z.object({ ...scope, from: isoDate('起始日期（from）').optional(), to: isoDate('结束日期（to）').optional() });
