import { Router, type Request, type Response } from 'express';
import { AppError } from '../../errors.js';
import { requireStaff, staffActorOf as actorOf } from '../../http/session.js';
import { parseOrThrow } from '../../http/validation.js';
import type { VersionService } from './document-versions.service.js';
import { documentIdParams } from './documents.schemas.js';
import { newVersionBody } from './versions.schemas.js';

type Form = Record<string, string | undefined>;

const FIELD_LABELS: Record<string, string> = {
  amended_by_doc_number: '修改文件文号',
  amended_by: '修改文件',
  effective_on: '施行日期',
  body: '修改后文本',
  note: '说明',
  document: '文件',
};

/** The form's fields as the API's schema takes them: blanks left out, so its messages apply. */
function versionInputFromForm(form: Form) {
  const value = (name: string) => (form[name]?.trim() ? form[name] : undefined);
  return { amended_by_doc_number: value('amended_by_doc_number') ?? '', effective_on: value('effective_on') ?? '', body: value('body'), note: value('note') };
}

async function renderVersionForm(versions: VersionPagesServices['versions'], res: Response, status: number, id: number, form: Form, error: AppError | null) {
  const [document, list] = await Promise.all([versions.documentAsOf(actorOf(res), id), versions.list(actorOf(res), id)]);
  res.status(status).render('staff/documents/version-form', { title: `添加修改版本：${document.title}`, document, versions: list.versions, values: form, error, fieldLabels: FIELD_LABELS });
}

interface VersionPagesServices {
  versions: Pick<VersionService, 'add' | 'list' | 'documentAsOf'>;
}

/** Staff add a version after an amendment, naming the amending document by its 文号. */
export function versionStaffPages({ versions }: VersionPagesServices) {
  const router = Router();
  const writers = requireStaff('document:write');
  const idOf = (req: Request) => parseOrThrow(documentIdParams, req.params, '文件编号有误').id;
  router.get('/staff/documents/:id/versions/new', writers, (req, res) => renderVersionForm(versions, res, 200, idOf(req), {}, null));
  router.post('/staff/documents/:id/versions', writers, async (req, res) => {
    const id = idOf(req);
    const form = req.body as Form;
    try {
      const input = parseOrThrow(newVersionBody, versionInputFromForm(form), '修改版本信息有误');
      const added = await versions.add(actorOf(res), id, input);
      res.redirect(303, `/documents/${id}/versions/${added.version}`);
    } catch (error) {
      if (!(error instanceof AppError) || ![400, 409].includes(error.status)) throw error;
      await renderVersionForm(versions, res, error.status, id, form, error);
    }
  });
  return router;
}
