import type { RequestHandler } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import helmet from 'helmet';
import { AppError } from '../errors.js';

/**
 * A strict Content-Security-Policy: scripts and styles only from our own files, never inline, so an
 * escaped-output slip cannot become script execution.
 */
export function securityHeaders(): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'self'"],
      },
    },
    // HSTS only makes sense behind TLS, which the reverse proxy in front of us terminates.
    strictTransportSecurity: false,
    referrerPolicy: { policy: 'same-origin' },
  });
}

/**
 * A per-client budget per minute, answered with the usual error shape and a Chinese message. The
 * client is req.ip: the socket address unless TRUST_PROXY names the proxy in front of us.
 */
export function perMinuteLimit(limit: number, message: string, store: Store): RequestHandler {
  return rateLimit({
    windowMs: 60_000,
    limit,
    store,
    // With TRUST_PROXY off an X-Forwarded-For header is ignored on purpose; the library would print
    // a stack trace for each such request, which would let anyone fill the log.
    validate: { xForwardedForHeader: false },
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new AppError(429, 'rate_limited', message)),
  });
}
