import { Router } from 'express';
import { AppError } from '../../errors.js';
import { clearSessionCookie, ensureCsrfToken, requireStaff, sessionActorOf, sessionIdOf, setSessionCookie } from '../../http/session.js';
import { z } from '../../http/validation.js';
import type { AuthService } from './auth.service.js';
import { ROLE_LABELS } from './actor.js';

/** Only same-site paths: an attacker's `next=https://evil` must not turn sign-in into a redirect. */
const safeNext = (value: unknown): string =>
  typeof value === 'string' && /^\/(?![/\\])[\x21-\x7e]*$/.test(value) ? value : '/staff';

const loginForm = z.object({
  username: z.string().trim().max(64).default(''),
  password: z.string().max(256).default(''),
  next: z.string().max(500).optional(),
});

/** Sign-in, sign-out and the staff home page; the staff features hang their pages below /staff. */
export function staffRoutes(auth: AuthService) {
  const router = Router();

  router.get('/staff/login', (req, res) => {
    if (sessionActorOf(res)) return res.redirect(303, safeNext(req.query['next']));
    ensureCsrfToken(req, res);
    res.render('staff/login', { title: '工作人员登录', username: '', next: safeNext(req.query['next']), error: null });
  });

  router.post('/staff/login', async (req, res) => {
    const form = loginForm.safeParse(req.body);
    const input = form.success ? form.data : { username: '', password: '', next: undefined };
    const next = safeNext(input.next);
    const renderError = (status: number, message: string) => {
      ensureCsrfToken(req, res);
      res.status(status).render('staff/login', { title: '工作人员登录', username: input.username, next, error: message });
    };
    if (!input.username || !input.password) return renderError(400, '请输入用户名和密码');
    try {
      const { sessionId } = await auth.signIn(input.username, input.password, {
        ip: req.ip ?? null,
        userAgent: req.get('user-agent') ?? null,
        previousSessionId: sessionIdOf(req),
      });
      setSessionCookie(req, res, sessionId);
      res.redirect(303, next);
    } catch (error) {
      if (error instanceof AppError && (error.status === 401 || error.status === 429)) return renderError(error.status, error.message);
      throw error;
    }
  });

  router.post('/staff/logout', async (req, res) => {
    const sessionId = sessionIdOf(req);
    if (sessionId) await auth.signOut(sessionId, sessionActorOf(res));
    clearSessionCookie(req, res);
    res.redirect(303, '/');
  });

  router.get('/staff', requireStaff(), (_req, res) => {
    const actor = sessionActorOf(res)!;
    res.render('staff/home', { title: '工作台', roleLabel: ROLE_LABELS[actor.role] });
  });

  return router;
}
