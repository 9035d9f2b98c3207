import type { Migration } from 'kysely';
import * as catalog from './20261129_0001_catalog.js';
import * as sessions from './20261129_0400_sessions.js';
import * as expiryAfterPublication from './20261129_0410_expiry_after_publication.js';

/**
 * Every migration, by name, in order. Listed rather than read from the folder so that the same code
 * runs under tsx, vitest and the compiled build; a test checks this list against the folder.
 */
export const migrations: Record<string, Migration> = {
  '20261129_0001_catalog': catalog,
  '20261129_0400_sessions': sessions,
  '20261129_0410_expiry_after_publication': expiryAfterPublication,
};
