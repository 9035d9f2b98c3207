import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { Db } from '../../db/database.js';
import type { Role } from '../../db/tables.js';
import { AppError, UnauthenticatedError } from '../../errors.js';
import { recordAudit } from './audit.service.js';
import * as sessions from './session.repository.js';
import * as failures from './sign-in-failure.repository.js';
import * as users from './user.repository.js';
import type { Actor } from './actor.js';
import { lockForTransaction } from '../../db/transaction.js';

const TOKEN_PREFIX = 'gfw_';
const FIRST_ADMIN_LOCK = 4711;
/** The 5th failure of a username from one client waits a minute, each further one twice as long, up to 15. */
const LOCK_POLICY = { lockAfter: 5, firstLockSeconds: 60, maxLockSeconds: 15 * 60 };
export const DEFAULT_TOKEN_TTL_DAYS = 90;
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

// Algorithm is an ambient const enum, which verbatimModuleSyntax cannot import; 2 is its Argon2id.
const ARGON2ID = 2 as Algorithm;

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

/** Tokens and session ids are random, so a fast hash suffices at rest; only the hash is stored. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

// Verifying against a real hash when the user does not exist keeps the answer time the same,
// so sign-in does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;

export interface SessionActor extends Actor {
  csrfToken: string;
  displayName: string | null;
}

export interface MintedToken {
  id: number;
  token: string;
  expires_at: Date;
}

/** A new API token for a user: random, shown once, stored only as its hash, with its audit row. */
export async function mintApiToken(db: Db, owner: { userId: number; name: string; ip: string | null; ttlDays: number }): Promise<MintedToken> {
  const { userId, name, ip, ttlDays } = owner;
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const row = await db.transaction().execute(async (trx) => {
    const row = await users.insertApiToken(trx, { user_id: userId, name, token_hash: hashSecret(token), ttlDays });
    await recordAudit(trx, { userId, ip, action: 'token.create', entity: 'api_token', entityId: row.id, after: { name, expires_at: row.expires_at } });
    return row;
  });
  return { id: row.id, token, expires_at: row.expires_at };
}

/** The username as counted for lock-out: whether or not such a user exists, so both behave alike. */
export const usernameKey = (username: string) => username.trim().toLowerCase().slice(0, 200);

const lockedMessage = (until: Date) =>
  `登录失败次数过多，已暂时锁定，请 ${Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000))} 分钟后再试`;

/**
 * The one gate for passwords, used by API tokens and by the sign-in page alike. Failures are counted
 * per typed username and client address, so a stranger's guesses lock only the stranger out; a name
 * that does not exist is counted, answered and timed exactly like one that does.
 */
async function verifyCredentials(db: Db, username: string, password: string, ip: string | null) {
  const key = usernameKey(username);
  const client = ip ?? 'unknown';
  const lockedUntil = await failures.findLockedUntil(db, key, client);
  if (lockedUntil) throw new AppError(429, 'rate_limited', lockedMessage(lockedUntil));
  const user = await users.findUserByUsername(db, username);
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  const ok = await verify(user?.password_hash ?? (await dummyHash), password).catch(() => false);
  if (user && ok && !user.disabled) {
    await failures.clearSignInFailures(db, key, client);
    return user;
  }
  await db.transaction().execute(async (trx) => {
    const counted = await failures.recordSignInFailure(trx, key, client, LOCK_POLICY);
    const entry = { userId: user?.id ?? null, ip, entity: 'user', entityId: user?.id ?? null };
    await recordAudit(trx, { ...entry, action: 'auth.failed', after: { username, failures: counted.failures } });
    if (counted.lockedUntil) {
      await recordAudit(trx, { ...entry, action: 'auth.locked', after: { username, client, locked_until: counted.lockedUntil } });
    }
  });
  throw new UnauthenticatedError('用户名或密码错误');
}

export function createAuthService({ db, tokenTtlDays = DEFAULT_TOKEN_TTL_DAYS }: { db: Db; tokenTtlDays?: number | undefined }) {
  return {
    async issueToken(username: string, password: string, ip: string | null): Promise<{ token: string; expires_at: string }> {
      const user = await verifyCredentials(db, username, password, ip);
      const { token, expires_at } = await mintApiToken(db, { userId: user.id, name: 'api', ip, ttlDays: tokenTtlDays });
      return { token, expires_at: expires_at.toISOString() };
    },

    async authenticate(token: string, ip: string | null): Promise<Actor | null> {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
      const user = await users.findUserByTokenHash(db, hashSecret(token));
      return user ? { userId: user.id, username: user.username, role: user.role, ip } : null;
    },

    /** Signs in for the staff pages: a fresh session id every time, so a planted id is worthless. */
    async signIn(username: string, password: string, meta: { ip: string | null; userAgent: string | null; previousSessionId?: string | undefined }) {
      const user = await verifyCredentials(db, username, password, meta.ip);
      const sessionId = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      await db.transaction().execute(async (trx) => {
        if (meta.previousSessionId) await sessions.deleteSession(trx, hashSecret(meta.previousSessionId));
        // Sign-in is rare enough to sweep expired sessions and stale failure counts here, on their indexes.
        await sessions.deleteExpiredSessions(trx);
        await failures.deleteStaleSignInFailures(trx);
        await sessions.insertSession(trx, {
          id_hash: hashSecret(sessionId),
          user_id: user.id,
          csrf_token: csrfToken,
          ip: meta.ip,
          user_agent: meta.userAgent?.slice(0, 300) ?? null,
          ttlSeconds: SESSION_TTL_SECONDS,
        });
        await recordAudit(trx, { userId: user.id, ip: meta.ip, action: 'session.create', entity: 'user', entityId: user.id });
      });
      return { sessionId };
    },

    async sessionActor(sessionId: string, ip: string | null): Promise<SessionActor | null> {
      if (sessionId.length > 100) return null;
      const row = await sessions.touchSession(db, hashSecret(sessionId), SESSION_TTL_SECONDS);
      if (!row) return null;
      return { userId: row.user_id, username: row.username, role: row.role, ip, csrfToken: row.csrf_token, displayName: row.display_name };
    },

    async signOut(sessionId: string, actor: Actor | null): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await sessions.deleteSession(trx, hashSecret(sessionId));
        if (actor) await recordAudit(trx, { userId: actor.userId, ip: actor.ip, action: 'session.delete', entity: 'user', entityId: actor.userId });
      });
    },

    /**
     * First start with no users: create the admin from ADMIN_USERNAME/ADMIN_PASSWORD, or generate a
     * password and return it so the caller can print it once.
     */
    async ensureInitialAdmin(username: string, password: string | undefined): Promise<{ created: boolean; generatedPassword?: string }> {
      if ((await users.countUsers(db)) > 0) return { created: false };
      const chosen = password ?? randomBytes(12).toString('base64url');
      const passwordHash = await hashPassword(chosen);
      const role: Role = 'admin';
      const created = await db.transaction().execute(async (trx) => {
        // Two processes starting at once must not both create an admin.
        await lockForTransaction(trx, FIRST_ADMIN_LOCK);
        if ((await users.countUsers(trx)) > 0) return false;
        const id = await users.insertUser(trx, { username, password_hash: passwordHash, role });
        await recordAudit(trx, { userId: null, ip: null, action: 'user.create', entity: 'user', entityId: id, after: { username, role } });
        return true;
      });
      if (!created) return { created: false };
      return password ? { created: true } : { created: true, generatedPassword: chosen };
    },

  };
}

export type AuthService = ReturnType<typeof createAuthService>;
