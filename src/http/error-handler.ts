import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';

interface HttpError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** Errors from Express's own middleware (body parsers, static files), which know nothing of AppError. */
function fromHttpError(error: HttpError): AppError | undefined {
  switch (error?.type) {
    case 'entity.parse.failed':
      return new AppError(400, 'invalid_json', '请求体不是合法的 JSON');
    case 'entity.too.large':
      return new AppError(413, 'payload_too_large', '请求体过大');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new AppError(415, 'unsupported_media_type', '不支持的字符编码，请使用 UTF-8');
    case 'request.aborted':
      return new AppError(400, 'validation_failed', '请求被中断');
  }
  // Client errors from Express and http-errors (a path that is not valid percent-encoding, a static
  // path outside its root); their English text is not for users, so only the status is kept.
  if (error?.expose !== false && typeof error?.status === 'number' && error.status >= 400 && error.status < 500) {
    if (error.status === 404) return new NotFoundError('页面不存在');
    if (error.status === 403) return new AppError(403, 'forbidden', '禁止访问');
    return new AppError(400, 'validation_failed', '请求有误');
  }
  return undefined;
}

/** Text PostgreSQL cannot store (a NUL byte) that slipped past validation is still the client's fault. */
function fromDatabaseError(error: unknown): AppError | undefined {
  const code = (error as { code?: unknown })?.code;
  if (code === '22021' || code === '22P05') return new AppError(400, 'validation_failed', '提交的文本含有非法字符');
  return undefined;
}

export const notFound: RequestHandler = () => {
  throw new NotFoundError('页面不存在');
};

/**
 * The one translator from errors to answers: JSON for the API, an HTML page for people. Unknown errors
 * are logged with their stack and answered as a plain 500: no stack trace or SQL reaches the client.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const known = error instanceof AppError ? error : (fromHttpError(error as HttpError) ?? fromDatabaseError(error));
    const appError = known ?? new AppError(500, 'internal', '服务器内部错误，请稍后再试');
    if (!known) logger.error({ err: error, method: req.method, url: req.originalUrl }, 'unhandled error');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const payload = {
      error: { code: appError.code, message: appError.message, ...(appError.fields ? { fields: appError.fields } : {}) },
    };
    res.status(appError.status);
    if (req.path.startsWith('/api/') || req.path === '/healthz') {
      res.json(payload);
      return;
    }
    res.format({
      html: () => res.render('errors/error', { title: appError.status === 404 ? '页面不存在' : '出错了', error: appError }),
      json: () => res.json(payload),
      default: () => res.type('text/plain').send(appError.message),
    });
  };
}
