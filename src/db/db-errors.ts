import { ConflictError, ValidationError, type AppError } from '../errors.js';

interface PgError {
  code?: string;
  constraint?: string;
}

/**
 * Maps the database's own guards (unique, foreign-key and check constraints) to user errors, for the
 * races that slip past the service's checks. `messages` names the constraints a caller expects.
 */
export function translateDbError(error: unknown, messages: Record<string, { field: string; message: string }> = {}): AppError | unknown {
  const pg = error as PgError;
  if (typeof pg?.code !== 'string') return error;
  const known = pg.constraint ? messages[pg.constraint] : undefined;
  if (pg.code === '23505') {
    return new ConflictError(known?.message ?? '数据与已有记录重复', known ? { [known.field]: known.message } : undefined);
  }
  if (pg.code === '23503' || pg.code === '23514') {
    return new ValidationError(known?.message ?? '数据不符合约束条件', known ? { [known.field]: known.message } : undefined);
  }
  if (pg.code === '40001' || pg.code === '40P01') {
    return new ConflictError('数据正被他人同时修改，请重试');
  }
  return error;
}
