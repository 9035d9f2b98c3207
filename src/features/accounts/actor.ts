import type { Role } from '../../db/tables.js';

/** Who is acting: a signed-in staff member, or the public (null). */
export interface Actor {
  userId: number;
  username: string;
  role: Role;
  ip: string | null;
}

export const ROLE_LABELS: Readonly<Record<Role, string>> = Object.freeze({
  admin: '系统管理员',
  editor: '文件编辑（法制机构）',
  compiler: '年报编制',
});

export type Action =
  | 'organ:write'
  | 'document:write'
  | 'document:read-drafts'
  | 'interpretation:write'
  | 'decision:write'
  | 'report:read'
  | 'user:manage'
  | 'audit:read'
  | 'register:write'
  | 'annual-report:write';

/**
 * The authorization matrix in one place: which role may do what. Anonymous callers may do none of
 * these; everything public is reachable without an action.
 */
export const PERMISSIONS: Readonly<Record<Action, readonly Role[]>> = Object.freeze({
  'organ:write': ['admin'],
  'document:write': ['admin', 'editor'],
  'document:read-drafts': ['admin', 'editor', 'compiler'],
  'interpretation:write': ['admin', 'editor'],
  'decision:write': ['admin', 'compiler'],
  'report:read': ['admin', 'editor', 'compiler'],
  'user:manage': ['admin'],
  'audit:read': ['admin'],
  // The registers of requests and appeals, and the annual report's texts and finalising: the compilers' work.
  'register:write': ['admin', 'compiler'],
  'annual-report:write': ['admin', 'compiler'],
});

export function can(actor: Actor | null, action: Action): boolean {
  return actor !== null && PERMISSIONS[action].includes(actor.role);
}
