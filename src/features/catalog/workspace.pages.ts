import { Router, type Request, type Response } from 'express';
import { DOCUMENT_KINDS, DOCUMENT_STATUSES, KIND_LABELS, STATUS_LABELS, documentStatusAsOf } from '../../shared/document-status.js';
import { AppError, ValidationError } from '../../errors.js';
import { foldFullWidth, parseDocNumber } from '../../shared/doc-number.js';
import { requireStaff, staffActorOf as actorOf } from '../../http/session.js';
import { idParam, isoDate, pagerOf, parseOrThrow, withoutBlanks, z } from '../../http/validation.js';
import type { Actor } from '../accounts/actor.js';
import type { RepealInput, UploadedFile } from './document.service.js';
import type { Services } from '../../services.js';
import type { ReadingProgress } from '../intake/reading-progress.service.js';
import { sendDocumentFile } from './document-download.js';
import { createDocumentBody, documentFileParams, documentIdParams, listDocumentsQuery, repealBody, updateDocumentBody } from './documents.schemas.js';
import { createInterpretationBody } from './interpretations.schemas.js';

type WorkspaceServices = Pick<Services, 'documents' | 'interpretations' | 'organs' | 'topics' | 'suggestions' | 'readingProgress' | 'clock'>;
type ReadUpload = (req: Request, res: Response) => Promise<unknown>;
type Form = Record<string, string | string[] | undefined>;

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const blankToNull = (value: string | string[] | undefined) => {
  const v = Array.isArray(value) ? value[0] : value;
  return v === undefined || v.trim() === '' ? null : v;
};
/** Digits become a number for the schemas; anything else stays as typed, for their message. */
const numberOrText = (v: string) => (/^\d{1,10}$/.test(v) ? Number(v) : v);
const numberOrRaw = (value: string | string[] | undefined) => {
  const v = blankToNull(value);
  return v !== null ? numberOrText(v) : v;
};

/** A document form as the API schemas expect it: empty fields are null, numbers are numbers. */
function documentInputFromForm(form: Form) {
  return {
    kind: blankToNull(form['kind']) ?? undefined,
    title: blankToNull(form['title']) ?? '',
    doc_number: blankToNull(form['doc_number']),
    index_number: blankToNull(form['index_number']),
    organ_id: numberOrRaw(form['organ_id']) ?? undefined,
    co_organ_ids: list(form['co_organ_ids']).filter((v) => v !== '').map(numberOrText),
    signed_on: blankToNull(form['signed_on']),
    published_on: blankToNull(form['published_on']),
    effective_on: blankToNull(form['effective_on']),
    expires_on: blankToNull(form['expires_on']),
    topics: list(form['topics']),
    body: typeof form['body'] === 'string' ? form['body'] : '',
  };
}

const FIELD_LABELS: Record<string, string> = {
  kind: '类别', title: '标题', doc_number: '文号', index_number: '索引号', organ_id: '发文机关', co_organ_ids: '联合发文机关',
  signed_on: '成文日期', published_on: '发布日期', effective_on: '施行日期', expires_on: '有效期至', topics: '主题分类', body: '正文',
  repealed_on: '废止日期', by_document_id: '废止依据文件', by_document: '废止依据文件', by_doc_number: '废止依据文件', reason: '废止原因', document_ids: '关联文件',
};

const KIND_OPTIONS = DOCUMENT_KINDS.map((k) => ({ value: k, label: KIND_LABELS[k] }));
const STATUS_OPTIONS = DOCUMENT_STATUSES.map((s) => ({ value: s, label: STATUS_LABELS[s] }));

const staffOnly = requireStaff('document:write');
const interpretationWriters = requireStaff('interpretation:write');

const documentIdOf = (req: Request) => parseOrThrow(documentIdParams, req.params, '文件编号有误').id;
const interpretationIdOf = (value: unknown) => parseOrThrow(z.object({ v: idParam('政策解读') }), { v: value }, '政策解读有误').v;

interface FormView {
  title: string;
  action: string;
  values: ReturnType<typeof documentInputFromForm>;
  error: AppError | null;
  /** An upload kept from the suggestion step, registered with the document. */
  staged?: { sha256: string; name: string } | null;
  suggestion?: { excerpt: string; text_layer: boolean; ocr: boolean; pages: number | null } | null;
}

async function renderForm(services: WorkspaceServices, res: Response, status: number, view: FormView) {
  const [organs, topics] = await Promise.all([services.organs.list(), services.topics.list()]);
  const options = { organs, topics, kinds: KIND_OPTIONS, fieldLabels: FIELD_LABELS };
  res.status(status).render('staff/documents/form', { staged: null, suggestion: null, ...view, ...options });
}

/** A form the services refused (bad or clashing input) is shown again with the message. */
async function renderFormError(services: WorkspaceServices, error: unknown, res: Response, view: Omit<FormView, 'error'>) {
  if (error instanceof AppError && (error.status === 400 || error.status === 409)) return renderForm(services, res, error.status, { ...view, error });
  throw error;
}

/** The document's staff page, with the message of an action that was refused. */
async function renderShow(services: WorkspaceServices, res: Response, status: number, id: number, error: AppError | null) {
  const [document, interpretations] = await Promise.all([
    services.documents.get(actorOf(res), id),
    services.interpretations.list(actorOf(res), { page: 1, page_size: 100 }),
  ]);
  res.status(status).render('staff/documents/show', {
    title: document.title,
    document,
    today: services.clock.today(),
    otherInterpretations: interpretations.items.filter((i) => !document.interpretations.some((d) => d.id === i.id)),
    error,
    fieldLabels: FIELD_LABELS,
  });
}

function mountDocumentList(router: Router, services: WorkspaceServices) {
  // The document picker's search as staff type (public/document-picker.js); before /:id.
  router.get('/staff/documents/lookup', requireStaff(), async (req, res) => {
    const { q } = parseOrThrow(z.object({ q: z.string().max(200, { error: '输入过长' }).default('') }), req.query, '查询有误');
    res.json({ items: await services.documents.lookup(actorOf(res), q) });
  });

  router.get('/staff/documents', requireStaff(), async (req, res) => {
    const query = parseOrThrow(listDocumentsQuery, withoutBlanks(req.query), '筛选条件有误');
    const result = await services.documents.list(actorOf(res), query);
    res.render('staff/documents/list', {
      title: '文件管理',
      result,
      query,
      organs: await services.organs.list(),
      kinds: KIND_OPTIONS,
      statuses: STATUS_OPTIONS,
      ...pagerOf(req.query, result.total, query.page_size),
    });
  });
}

/** The page's own random id for one upload (public/upload-progress.js), scoped to who uploads it. */
const readingKey = (userId: number, id: unknown): string | null =>
  typeof id === 'string' && /^[A-Za-z0-9_-]{16,64}$/.test(id) ? `${userId}:${id}` : null;

/** Step one of registering: the dropped file's text and suggested metadata, in an editable form. */
async function suggestFromUpload(services: WorkspaceServices, readUpload: ReadUpload, req: Request, res: Response) {
  await readUpload(req, res);
  const file = res.locals['file'] as UploadedFile | undefined;
  if (!file) throw new AppError(400, 'validation_failed', '请选择要上传的原件（PDF、OFD、Word、WPS、扫描图片或文本）', { file: '必填' });
  const actor = actorOf(res);
  const progressKey = readingKey(actor.userId, req.query['progress']);
  const onProgress = progressKey ? (p: ReadingProgress) => services.readingProgress.report(progressKey, p) : undefined;
  const [result, staged] = await Promise.all([
    services.suggestions.suggest(actor, file, { onProgress }),
    services.documents.stageFile(actor, file),
  ]);
  const s = result.suggestions;
  const values = {
    ...documentInputFromForm({ kind: 'normative' }),
    title: s.title ?? '',
    doc_number: s.doc_number,
    organ_id: s.organ_id ?? undefined,
    signed_on: s.signed_on,
    published_on: s.published_on,
    effective_on: s.effective_on,
    expires_on: s.expires_on,
    topics: s.topics,
    body: result.ocr_text ?? '',
  };
  await renderForm(services, res, 200, {
    title: '登记文件：核对识别结果',
    action: '/staff/documents',
    values,
    error: null,
    staged,
    suggestion: { excerpt: result.excerpt, text_layer: result.text_layer, ocr: result.ocr, pages: result.pages },
  });
}

function mountRegistration(router: Router, services: WorkspaceServices, readUpload: ReadUpload) {
  const blankForm = (error: AppError | null): FormView => ({
    title: '登记文件',
    action: '/staff/documents',
    values: documentInputFromForm({ kind: 'normative' }),
    error,
  });

  router.get('/staff/documents/new', staffOnly, (_req, res) => renderForm(services, res, 200, blankForm(null)));

  // 识别中: how far the reading of the upload with this id has got (null pages: not started yet).
  router.get('/staff/documents/suggest/progress', staffOnly, (req, res) => {
    const key = readingKey(actorOf(res).userId, req.query['id']);
    if (!key) throw new AppError(400, 'validation_failed', '识别进度编号有误');
    res.json(services.readingProgress.read(key) ?? { page: 0, pages: null });
  });

  router.post('/staff/documents/suggest', staffOnly, async (req, res) => {
    try {
      await suggestFromUpload(services, readUpload, req, res);
    } catch (error) {
      // An unreadable or missing file is the user's to fix: the blank form says why.
      if (error instanceof AppError && error.status >= 400 && error.status < 500 && error.status !== 403) {
        return renderForm(services, res, error.status, blankForm(error));
      }
      throw error;
    }
  });

  router.post('/staff/documents', staffOnly, async (req, res) => {
    const form = req.body as Form;
    const values = documentInputFromForm(form);
    const sha256 = blankToNull(form['staged_sha256']);
    const staged = sha256 ? { sha256, name: blankToNull(form['staged_name']) ?? '原件' } : null;
    try {
      const input = parseOrThrow(createDocumentBody, values, '提交的文件信息有误');
      const actor = actorOf(res);
      const file = staged ? await services.documents.stagedFile(actor, staged.sha256, staged.name) : undefined;
      const created = await services.documents.create(actor, input, file);
      res.redirect(303, `/staff/documents/${created.id}`);
    } catch (error) {
      await renderFormError(services, error, res, { title: '登记文件', action: '/staff/documents', values, staged });
    }
  });
}

function mountDocumentPage(router: Router, services: WorkspaceServices) {
  router.get('/staff/documents/:id', requireStaff(), (req, res) => renderShow(services, res, 200, documentIdOf(req), null));

  // Staff download any file they may read (drafts' too) with their session, no token.
  router.get('/staff/documents/:id/files/:file_id', requireStaff(), async (req, res) => {
    const { id, file_id } = parseOrThrow(documentFileParams, req.params, '文件编号有误');
    sendDocumentFile(res, await services.documents.openFile(actorOf(res), id, file_id));
  });

  router.get('/staff/documents/:id/edit', staffOnly, async (req, res) => {
    const id = documentIdOf(req);
    const d = await services.documents.get(actorOf(res), id);
    const values = {
      ...documentInputFromForm({}),
      kind: d.kind, title: d.title, doc_number: d.doc_number, index_number: d.index_number, organ_id: d.organ_id,
      co_organ_ids: d.co_issuers.map((o) => o.id), signed_on: d.signed_on, published_on: d.published_on,
      effective_on: d.effective_on === d.published_on ? null : d.effective_on, expires_on: d.expires_on, topics: d.topics, body: d.body,
    };
    await renderForm(services, res, 200, { title: `修改：${d.title}`, action: `/staff/documents/${id}`, values, error: null });
  });

  router.post('/staff/documents/:id', staffOnly, async (req, res) => {
    const id = documentIdOf(req);
    const values = documentInputFromForm(req.body as Form);
    try {
      const patch = parseOrThrow(updateDocumentBody, values, '提交的文件信息有误');
      await services.documents.update(actorOf(res), id, patch);
      res.redirect(303, `/staff/documents/${id}`);
    } catch (error) {
      await renderFormError(services, error, res, { title: '修改文件', action: `/staff/documents/${id}`, values });
    }
  });
}

type DocumentAction = (actor: Actor, id: number, form: Form, req: Request) => Promise<unknown>;

/** An action on the document page; a rejected one re-renders the page with the message. */
const documentAction = (services: WorkspaceServices, run: DocumentAction) => async (req: Request, res: Response) => {
  const id = documentIdOf(req);
  try {
    await run(actorOf(res), id, req.body as Form, req);
    res.redirect(303, `/staff/documents/${id}`);
  } catch (error) {
    if (!(error instanceof AppError) || ![400, 409].includes(error.status)) throw error;
    await renderShow(services, res, error.status, id, error);
  }
};

const publishDateOf = (form: Form) =>
  parseOrThrow(z.object({ published_on: isoDate('发布日期') }), { published_on: blankToNull(form['published_on']) ?? '' }, '发布日期有误').published_on;

/**
 * The 发布 button's first step: what the public will see and the warnings, with a button to confirm
 * (no script needed); missing required fields come back on the document page, nothing changed.
 */
async function confirmPublication(services: WorkspaceServices, req: Request, res: Response) {
  const id = documentIdOf(req);
  const form = req.body as Form;
  const actor = actorOf(res);
  try {
    const publishedOn = publishDateOf(form);
    if (form['confirmed'] === '1') {
      await services.documents.update(actor, id, { published_on: publishedOn });
      return res.redirect(303, `/staff/documents/${id}`);
    }
    const preview = await services.documents.previewPublication(actor, id, publishedOn);
    if (preview.errors) return await renderShow(services, res, preview.errors.status, id, preview.errors);
    const document = await services.documents.get(actor, id);
    const status = documentStatusAsOf({ ...document, effective_on: document.effective_on === document.published_on ? null : document.effective_on, published_on: publishedOn }, services.clock.today());
    res.render('staff/documents/publish-confirm', {
      title: `确认发布：${document.title}`,
      document,
      publishedOn,
      statusLabel: STATUS_LABELS[status],
      warnings: preview.warnings,
    });
  } catch (error) {
    if (!(error instanceof AppError) || ![400, 409].includes(error.status)) throw error;
    await renderShow(services, res, error.status, id, error);
  }
}

/**
 * The repealing document as the form names it: the picker's choice, else what staff typed (a 文号,
 * resolved by the service, or a title fragment that must match exactly one document).
 */
async function repealInputOf({ documents }: WorkspaceServices, actor: Actor, form: Form): Promise<RepealInput> {
  const chosen = blankToNull(form['by_document_id']);
  const typed = blankToNull(form['by_document'])?.trim() ?? null;
  let by: { by_document_id?: number | string; by_doc_number?: string } = {};
  if (chosen !== null) by = { by_document_id: numberOrText(chosen) };
  else if (typed !== null && parseDocNumber(foldFullWidth(typed))) by = { by_doc_number: typed };
  else if (typed !== null) by = { by_document_id: await documentByTitle(documents, actor, typed) };
  const reason = blankToNull(form['reason']);
  return parseOrThrow(repealBody, { repealed_on: blankToNull(form['repealed_on']) ?? '', ...by, ...(reason !== null ? { reason } : {}) }, '废止信息有误');
}

/** The one document whose title contains `fragment`; otherwise a message saying what to do. */
async function documentByTitle(documents: WorkspaceServices['documents'], actor: Actor, fragment: string): Promise<number> {
  const found = await documents.lookup(actor, fragment);
  if (found.length === 1) return found[0]!.id;
  const message = found.length === 0 ? `没有标题或文号含“${fragment}”的文件` : `有多件文件的标题含“${fragment}”，请输入文号或从列表中选择`;
  throw new ValidationError('废止信息有误', { by_document: message });
}

/**
 * The 废止 button's first step: what changes (status 已废止 from that day, counted as 废止 in that
 * year's Article 20 table), with a button to confirm; a refused repeal comes back on the page.
 */
async function confirmRepeal(services: WorkspaceServices, req: Request, res: Response) {
  const id = documentIdOf(req);
  const form = req.body as Form;
  const actor = actorOf(res);
  try {
    const input = await repealInputOf(services, actor, form);
    const preview = await services.documents.previewRepeal(actor, id, input);
    if (form['confirmed'] === '1') {
      await services.documents.repeal(actor, id, preview.input);
      return res.redirect(303, `/staff/documents/${id}`);
    }
    res.render('staff/documents/repeal-confirm', {
      title: `确认废止：${preview.doc.title}`,
      document: preview.doc,
      by: preview.by,
      input: preview.input,
      year: preview.input.repealed_on.slice(0, 4),
    });
  } catch (error) {
    if (!(error instanceof AppError) || ![400, 409].includes(error.status)) throw error;
    await renderShow(services, res, error.status, id, error);
  }
}

/** Links an existing interpretation to the document, or publishes a new one about it. */
function interpreting({ interpretations }: WorkspaceServices): DocumentAction {
  return async (actor, id, form) => {
    const existing = blankToNull(form['interpretation_id']);
    if (existing !== null) return interpretations.link(actor, interpretationIdOf(existing), id);
    const input = parseOrThrow(
      createInterpretationBody,
      { title: blankToNull(form['title']) ?? '', body: typeof form['body'] === 'string' ? form['body'] : '', published_on: blankToNull(form['published_on']) ?? '', document_ids: [id] },
      '政策解读有误',
    );
    return interpretations.create(actor, input);
  };
}

function unlinking({ interpretations }: WorkspaceServices): DocumentAction {
  return (actor, id, _form, req) => interpretations.unlink(actor, interpretationIdOf(req.params['interpretation_id']), id);
}

function mountDocumentActions(router: Router, services: WorkspaceServices) {
  router.post('/staff/documents/:id/publish', staffOnly, (req, res) => confirmPublication(services, req, res));
  router.post('/staff/documents/:id/repeal', staffOnly, (req, res) => confirmRepeal(services, req, res));
  router.post('/staff/documents/:id/interpretations', interpretationWriters, documentAction(services, interpreting(services)));
  router.post('/staff/documents/:id/interpretations/:interpretation_id/unlink', interpretationWriters, documentAction(services, unlinking(services)));
}

/**
 * The legal staff's workspace: the catalog with drafts, registration, editing, publishing, repeal,
 * interpretations. Every action goes through the same services (and schemas) as the API.
 */
export function workspacePages(services: WorkspaceServices, readUpload: ReadUpload) {
  const router = Router();
  mountDocumentList(router, services);
  mountRegistration(router, services, readUpload);
  mountDocumentPage(router, services);
  mountDocumentActions(router, services);
  return router;
}
