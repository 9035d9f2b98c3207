import { createHash, randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';
import type { Db } from '../db/database.js';
import type { Role } from '../db/tables.js';
import { UnauthenticatedError } from '../errors.js';
import { insertAuditEntry } from '../repositories/audit.repository.js';
import * as users from '../repositories/user.repository.js';
import type { Actor } from './actor.js';

const TOKEN_PREFIX = 'gfw_';

// Algorithm is an ambient const enum, which verbatimModuleSyntax cannot import; 2 is its Argon2id.
const ARGON2ID = 2 as Algorithm;

export function hashPassword(password: string): Promise<string> {
  return hash(password, { algorithm: ARGON2ID });
}

/** Tokens are random, so a fast hash suffices at rest; only the hash is stored. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

// Verifying against a real hash when the user does not exist keeps the answer time the same,
// so sign-in does not reveal which usernames exist.
let dummyHash: Promise<string> | undefined;

export function createAuthService({ db }: { db: Db }) {
  return {
    async issueToken(username: string, password: string, ip: string | null): Promise<{ token: string }> {
      const user = await users.findUserByUsername(db, username);
      dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      const ok = await verify(user?.password_hash ?? (await dummyHash), password).catch(() => false);
      if (!user || !ok || user.disabled) throw new UnauthenticatedError('用户名或密码错误');
      const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
      await db.transaction().execute(async (trx) => {
        const id = await users.insertApiToken(trx, { user_id: user.id, name: 'api', token_hash: hashToken(token) });
        await insertAuditEntry(trx, {
          userId: user.id,
          ip,
          action: 'token.create',
          entity: 'api_token',
          entityId: id,
        });
      });
      return { token };
    },

    async authenticate(token: string, ip: string | null): Promise<Actor | null> {
      if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
      const user = await users.findUserByTokenHash(db, hashToken(token));
      return user ? { userId: user.id, username: user.username, role: user.role, ip } : null;
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
      await db.transaction().execute(async (trx) => {
        await trx.selectNoFrom((eb) => eb.fn('pg_advisory_xact_lock', [eb.lit(4711)]).as('l')).execute();
        if ((await users.countUsers(trx)) > 0) return;
        const id = await users.insertUser(trx, { username, password_hash: passwordHash, role });
        await insertAuditEntry(trx, { userId: null, ip: null, action: 'user.create', entity: 'user', entityId: id, after: { username, role } });
      });
      return password ? { created: true } : { created: true, generatedPassword: chosen };
    },

    async createUser(username: string, password: string, role: Role): Promise<number> {
      const passwordHash = await hashPassword(password);
      return db.transaction().execute(async (trx) => {
        const id = await users.insertUser(trx, { username, password_hash: passwordHash, role });
        await insertAuditEntry(trx, { userId: null, ip: null, action: 'user.create', entity: 'user', entityId: id, after: { username, role } });
        return id;
      });
    },
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
