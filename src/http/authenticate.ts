import type { RequestHandler } from 'express';
import { UnauthenticatedError } from '../errors.js';
import type { AuthService } from '../features/accounts/auth.service.js';

/**
 * Resolves `Authorization: Bearer …` to res.locals.actor; a token that is sent must be valid, and
 * what is answered to a token is nobody else's to cache.
 */
export function authenticate(auth: AuthService): RequestHandler {
  return async (req, res, next) => {
    res.locals['actor'] = null;
    const header = req.get('authorization');
    if (!header) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new UnauthenticatedError('Authorization 头应为 “Bearer 令牌”');
    const actor = await auth.authenticate(match[1]!, req.ip ?? null);
    if (!actor) throw new UnauthenticatedError('访问令牌无效、已过期或已撤销');
    res.locals['actor'] = actor;
    res.set('Cache-Control', 'no-store');
    next();
  };
}
