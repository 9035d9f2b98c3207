import { Router, type Response } from 'express';
import { AppError } from '../../errors.js';
import { requireStaff, staffActorOf } from '../../http/session.js';
import { pagerOf, parseOrThrow, withoutBlanks, z } from '../../http/validation.js';
import { ROLE_LABELS } from './actor.js';
import type { AuditService } from './audit.service.js';
import type { UserService } from './user.service.js';
import { auditQuery, createUserBody, role } from './users.routes.js';

const ROLES = Object.entries(ROLE_LABELS).map(([value, label]) => ({ value, label }));

/** Staff pages for accounts, API tokens and the audit log; the same services as the API. */
export function adminPages(users: UserService, audit: AuditService) {
  const router = Router();
  const actorOf = staffActorOf;

  const renderUsers = async (res: Response, status: number, form: Record<string, string>, error: AppError | null) => {
    res.status(status).render('staff/users', {
      title: '用户管理',
      users: await users.list(actorOf(res)),
      roles: ROLES,
      roleLabels: ROLE_LABELS,
      form,
      error,
    });
  };

  router.get('/staff/users', requireStaff('user:manage'), async (_req, res) => {
    await renderUsers(res, 200, { username: '', display_name: '', role: 'editor' }, null);
  });

  router.post('/staff/users', requireStaff('user:manage'), async (req, res) => {
    const raw = req.body as Record<string, string>;
    const form = { username: raw['username'] ?? '', display_name: raw['display_name'] ?? '', role: raw['role'] ?? '' };
    try {
      const input = parseOrThrow(createUserBody, { ...form, password: raw['password'] ?? '', display_name: form.display_name || null }, '用户信息有误');
      await users.create(actorOf(res), input);
      res.redirect(303, '/staff/users');
    } catch (error) {
      if (error instanceof AppError && error.status < 500 && error.status !== 403) return renderUsers(res, error.status, form, error);
      throw error;
    }
  });

  router.post('/staff/users/:id', requireStaff('user:manage'), async (req, res) => {
    const { id } = parseOrThrow(z.object({ id: z.string().regex(/^\d{1,9}$/).transform(Number) }), req.params, '用户编号有误');
    const body = req.body as Record<string, string>;
    const patch = body['action'] === 'disable' ? { disabled: true } : body['action'] === 'enable' ? { disabled: false } : { role: body['role'] };
    const parsed = parseOrThrow(z.object({ disabled: z.boolean().optional(), role: role.optional() }), patch, '修改内容有误');
    try {
      await users.update(actorOf(res), id, parsed);
      res.redirect(303, '/staff/users');
    } catch (error) {
      if (error instanceof AppError && (error.status === 409 || error.status === 400)) return renderUsers(res, error.status, { username: '', display_name: '', role: 'editor' }, error);
      throw error;
    }
  });

  router.get('/staff/tokens', requireStaff(), async (_req, res) => {
    res.render('staff/tokens', { title: '访问令牌', tokens: await users.listTokens(actorOf(res)), created: null });
  });

  router.post('/staff/tokens', requireStaff(), async (req, res) => {
    const { name } = parseOrThrow(z.object({ name: z.string().trim().min(1, { error: '请填写令牌名称' }).max(100) }), req.body, '令牌名称有误');
    const created = await users.createToken(actorOf(res), name);
    // The value is shown on this one answer only (no-store, as every signed-in page); it is never stored in clear.
    res.render('staff/tokens', { title: '访问令牌', tokens: await users.listTokens(actorOf(res)), created });
  });

  router.post('/staff/tokens/:id/revoke', requireStaff(), async (req, res) => {
    const { id } = parseOrThrow(z.object({ id: z.string().regex(/^\d{1,9}$/).transform(Number) }), req.params, '令牌编号有误');
    await users.revokeToken(actorOf(res), id);
    res.redirect(303, '/staff/tokens');
  });

  router.get('/staff/audit', requireStaff('audit:read'), async (req, res) => {
    const query = parseOrThrow(auditQuery, withoutBlanks(req.query), '筛选条件有误');
    const result = await audit.list(actorOf(res), query);
    res.render('staff/audit', {
      title: '审计日志',
      result,
      query: { ...query, user_id: query.user_id ?? '' },
      ...pagerOf(req.query, result.total, query.page_size),
      describe: (value: unknown) => (value === null || value === undefined ? '' : JSON.stringify(value)),
    });
  });

  return router;
}
