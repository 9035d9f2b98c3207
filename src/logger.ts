import pino, { type Logger } from 'pino';

export type { Logger };

/** One logger for the process; secrets and document bodies never reach it (see redact). */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'req.headers.authorization', 'req.headers.cookie', 'body', '*.body'],
      censor: '[已隐去]',
    },
  });
}
