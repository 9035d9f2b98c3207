import type { Db, Trx } from '../../db/database.js';
import type { Role } from '../../db/tables.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../errors.js';
import { recordAudit } from './audit.service.js';
import * as users from './user.repository.js';
import { can, type Actor } from './actor.js';
import { DEFAULT_TOKEN_TTL_DAYS, hashPassword, mintApiToken, usernameKey } from './auth.service.js';
import { clearSignInFailures } from './sign-in-failure.repository.js';
import { translateDbError } from '../../db/db-errors.js';
import { lockForTransaction } from '../../db/transaction.js';

/** Role changes that could remove the last admin run one at a time. */
const USER_ADMINISTRATION_LOCK = 4712;
const MIN_PASSWORD_LENGTH = 10;

export interface NewUserInput {
  username: string;
  password: string;
  role: Role;
  display_name?: string | null | undefined;
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new ValidationError('密码太短', { password: `密码至少 ${MIN_PASSWORD_LENGTH} 个字符` });
  }
}

const assertAdmin = (actor: Actor | null) => {
  if (actor !== null && !can(actor, 'user:manage')) throw new ForbiddenError();
};

const audit = (trx: Trx, actor: Actor | null, action: string, entityId: number, after?: unknown, before?: unknown) =>
  recordAudit(trx, { userId: actor?.userId ?? null, ip: actor?.ip ?? null, action, entity: 'user', entityId, after, before });

type UserPatch = { role?: Role | undefined; disabled?: boolean | undefined; display_name?: string | null | undefined };

async function createAccount(db: Db, actor: Actor | null, input: NewUserInput): Promise<number> {
  assertAdmin(actor);
  checkPassword(input.password);
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction().execute(async (trx) => {
      const id = await users.insertUser(trx, {
        username: input.username,
        password_hash: passwordHash,
        role: input.role,
        display_name: input.display_name ?? null,
      });
      await audit(trx, actor, 'user.create', id, { username: input.username, role: input.role });
      return id;
    });
  } catch (error) {
    throw translateDbError(error, {
      users_username_key: { field: 'username', message: '用户名已被使用' },
      users_username_check: { field: 'username', message: '用户名只能包含字母、数字、点、横线和下划线（2–64 个字符）' },
    });
  }
}

/** Changes role or disables; the last active admin can neither be demoted nor disabled. */
async function updateAccount(db: Db, actor: Actor | null, id: number, patch: UserPatch): Promise<void> {
  assertAdmin(actor);
  await db.transaction().execute(async (trx) => {
    await lockForTransaction(trx, USER_ADMINISTRATION_LOCK);
    const before = await users.findUserById(trx, id);
    if (!before) throw new NotFoundError('用户不存在');
    const losesAdmin = before.role === 'admin' && !before.disabled && ((patch.role && patch.role !== 'admin') || patch.disabled === true);
    if (losesAdmin && (await users.countActiveAdmins(trx)) <= 1) throw new ConflictError('至少要保留一名可用的系统管理员');
    const changes = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (Object.keys(changes).length === 0) throw new ValidationError('没有要修改的字段');
    await users.updateUser(trx, id, changes);
    if (patch.disabled === true) await users.revokeAllCredentials(trx, id);
    await audit(trx, actor, 'user.update', id, changes, { role: before.role, disabled: before.disabled, display_name: before.display_name });
  });
}

/** Sets a new password and ends every session and token of the account. */
async function resetAccountPassword(db: Db, actor: Actor | null, username: string, password: string): Promise<void> {
  assertAdmin(actor);
  checkPassword(password);
  const passwordHash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    const user = await users.findUserByUsername(trx, username);
    if (!user) throw new NotFoundError('用户不存在');
    await users.updateUser(trx, user.id, { password_hash: passwordHash });
    // A new password is a fresh start: whoever was locked out of this account may try again.
    await clearSignInFailures(trx, usernameKey(user.username));
    await users.revokeAllCredentials(trx, user.id);
    await audit(trx, actor, 'user.reset_password', user.id);
  });
}

/** The signed-in user's own API tokens: listed with expiry and last use, created, revoked. */
function ownTokens(db: Db, tokenTtlDays: number) {
  return {
    listTokens(actor: Actor) {
      return users.listApiTokens(db, actor.userId);
    },

    /** A new token for the signed-in user; the plain value is returned once and stored only hashed. */
    async createToken(actor: Actor, name: string): Promise<{ id: number; name: string; token: string; expires_at: Date }> {
      const { id, token, expires_at } = await mintApiToken(db, { userId: actor.userId, name, ip: actor.ip, ttlDays: tokenTtlDays });
      return { id, name, token, expires_at };
    },

    async revokeToken(actor: Actor, tokenId: number): Promise<void> {
      await db.transaction().execute(async (trx) => {
        if (!(await users.revokeApiToken(trx, actor.userId, tokenId))) throw new NotFoundError('令牌不存在或已撤销');
        await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action: 'token.revoke', entity: 'api_token', entityId: tokenId });
      });
    },
  };
}

/**
 * Accounts and their API tokens. `actor` is null only for the shell (`npm run user`), which stands
 * outside the web's permissions because it needs access to the machine itself.
 */
export function createUserService({ db, tokenTtlDays = DEFAULT_TOKEN_TTL_DAYS }: { db: Db; tokenTtlDays?: number | undefined }) {
  return {
    async list(actor: Actor) {
      assertAdmin(actor);
      return users.listUsers(db);
    },
    create: (actor: Actor | null, input: NewUserInput) => createAccount(db, actor, input),
    update: (actor: Actor | null, id: number, patch: UserPatch) => updateAccount(db, actor, id, patch),
    resetPassword: (actor: Actor | null, username: string, password: string) => resetAccountPassword(db, actor, username, password),
    ...ownTokens(db, tokenTtlDays),
  };
}

export type UserService = ReturnType<typeof createUserService>;
