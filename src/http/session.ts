import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { AppError, ForbiddenError } from '../errors.js';
import { can, type Action } from '../features/accounts/actor.js';
import { SESSION_TTL_SECONDS, secretsEqual, type AuthService, type SessionActor } from '../features/accounts/auth.service.js';

const SESSION_COOKIE = 'gfwj_sid';
const ANON_CSRF_COOKIE = 'gfwj_csrf';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const cookieOptions = (req: Request) => ({
  httpOnly: true,
  sameSite: 'lax' as const,
  // Behind TLS (directly or via a proxy on loopback, see 'trust proxy') cookies never travel in clear.
  secure: req.secure,
  path: '/',
});

export function setSessionCookie(req: Request, res: Response, sessionId: string): void {
  res.cookie(SESSION_COOKIE, sessionId, { ...cookieOptions(req), maxAge: SESSION_TTL_SECONDS * 1000 });
}

export function clearSessionCookie(req: Request, res: Response): void {
  res.clearCookie(SESSION_COOKIE, cookieOptions(req));
}

export const sessionIdOf = (req: Request): string | undefined => {
  const value = (req.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof value === 'string' && value ? value : undefined;
};

export const sessionActorOf = (res: Response): SessionActor | null => (res.locals['actor'] as SessionActor | null | undefined) ?? null;

/** The signed-in actor of a page behind requireStaff(); a page reached without one is a 401, not a crash. */
export function staffActorOf(res: Response): SessionActor {
  const actor = sessionActorOf(res);
  if (!actor) throw new AppError(401, 'unauthenticated', '请先登录');
  return actor;
}

/**
 * For the HTML side: resolves the session cookie to res.locals.actor and provides the CSRF token
 * forms must echo (the session's own token; before sign-in, a random one in a cookie of its own).
 * Visitors without cookies cost no database query.
 */
export function sessions(auth: AuthService): RequestHandler {
  return async (req, res, next) => {
    res.locals['actor'] = null;
    const sessionId = sessionIdOf(req);
    const actor = sessionId ? await auth.sessionActor(sessionId, req.ip ?? null) : null;
    if (sessionId && !actor) clearSessionCookie(req, res);
    res.locals['actor'] = actor;
    // Everything behind sign-in (staff pages, previews of drafts, the CSRF token in every form) is
    // for this person only: no browser or proxy may keep it.
    if (actor) res.set('Cache-Control', 'no-store');
    let token = actor?.csrfToken;
    if (!token) {
      const cookie = (req.cookies as Record<string, unknown> | undefined)?.[ANON_CSRF_COOKIE];
      token = typeof cookie === 'string' && /^[A-Za-z0-9_-]{32}$/.test(cookie) ? cookie : undefined;
    }
    res.locals['csrfToken'] = token;
    next();
  };
}

/** Gives an anonymous form (the sign-in page) a token to echo, kept in a cookie of its own. */
export function ensureCsrfToken(req: Request, res: Response): string {
  res.set('Cache-Control', 'no-store');
  const existing = res.locals['csrfToken'] as string | undefined;
  if (existing) return existing;
  const token = randomBytes(24).toString('base64url');
  res.cookie(ANON_CSRF_COOKIE, token, { ...cookieOptions(req), sameSite: 'strict' });
  res.locals['csrfToken'] = token;
  return token;
}

/**
 * Every unsafe HTML request must carry the CSRF token: in the `_csrf` field of a urlencoded form, or,
 * for multipart forms whose body is read later, in the `_csrf` query parameter.
 */
export const verifyCsrf: RequestHandler = (req, res, next) => {
  if (!UNSAFE.has(req.method)) return next();
  const expected = res.locals['csrfToken'] as string | undefined;
  const fromBody = (req.body as Record<string, unknown> | undefined)?.['_csrf'];
  const sent = typeof fromBody === 'string' ? fromBody : typeof req.query['_csrf'] === 'string' ? req.query['_csrf'] : undefined;
  if (!expected || !sent || !secretsEqual(expected, sent)) {
    throw new AppError(403, 'forbidden', '表单已过期或来源不明，请刷新页面后重新提交');
  }
  next();
};

/** Staff pages: sign in first (then come back), and hold the permission if one is named. */
export function requireStaff(permission?: Action): RequestHandler {
  return (req, res, next) => {
    const actor = sessionActorOf(res);
    if (!actor) {
      if (req.method === 'GET') return res.redirect(303, `/staff/login?next=${encodeURIComponent(req.originalUrl)}`);
      throw new AppError(401, 'unauthenticated', '请先登录');
    }
    if (permission && !can(actor, permission)) throw new ForbiddenError();
    next();
  };
}
