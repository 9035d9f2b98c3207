import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where original files live. Content-addressed: the key is the SHA-256 of the bytes. */
export interface Storage {
  put(bytes: Buffer): Promise<{ sha256: string; size: number }>;
  open(sha256: string): Promise<ReadStream>;
  has(sha256: string): Promise<boolean>;
  /** Uploads waiting between the suggestion step and the registration form; kept apart, swept. */
  staging: StagingArea;
}

export interface StagingArea {
  put(bytes: Buffer): Promise<{ sha256: string; size: number }>;
  /** The staged bytes, or undefined once swept (or never staged). */
  read(sha256: string): Promise<Buffer | undefined>;
  /** Removes what was staged (or staged again) more than `ms` ago; returns how many files. */
  removeOlderThan(ms: number): Promise<number>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * A content-addressed directory: `<root>/ab/cd/abcd…`. With `touch`, storing bytes that are there
 * already marks them as new (for the staging area's sweep).
 */
function contentDirectory(root: string, { touch }: { touch: boolean }) {
  // Only hex digests ever reach the file system, so no caller can steer a path outside `root`.
  const pathOf = (sha256: string): string => {
    if (!SHA256.test(sha256)) throw new Error('invalid sha256');
    return path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  };
  return {
    pathOf,
    async put(bytes: Buffer) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const target = pathOf(sha256);
      const existing = await stat(target).catch(() => undefined);
      if (existing?.size === bytes.length) {
        if (!touch) return { sha256, size: bytes.length };
        const now = new Date();
        // Swept meanwhile: written again below.
        const touched = await utimes(target, now, now).then(() => true, () => false);
        if (touched) return { sha256, size: bytes.length };
      }
      await mkdir(path.dirname(target), { recursive: true });
      // Write then rename, so a crash never leaves a half-written file under its final name.
      const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
      try {
        await writeFile(temp, bytes, { flag: 'wx' });
        await rename(temp, target);
      } finally {
        await rm(temp, { force: true });
      }
      return { sha256, size: bytes.length };
    },
  };
}

export function createLocalStorage(root: string): Storage {
  const files = contentDirectory(root, { touch: false });
  // Not two hex digits, so it can never be a directory of the content store.
  const stagingRoot = path.join(root, 'staging');
  const staged = contentDirectory(stagingRoot, { touch: true });
  return {
    put: files.put,
    async open(sha256) {
      const file = files.pathOf(sha256);
      await stat(file);
      return createReadStream(file);
    },
    async has(sha256) {
      return (await stat(files.pathOf(sha256)).catch(() => undefined)) !== undefined;
    },
    staging: {
      put: staged.put,
      async read(sha256) {
        if (!SHA256.test(sha256)) return undefined;
        return readFile(staged.pathOf(sha256)).catch(() => undefined);
      },
      async removeOlderThan(ms) {
        const cutoff = Date.now() - ms;
        let removed = 0;
        const entries = await readdir(stagingRoot, { recursive: true, withFileTypes: true }).catch(() => []);
        for (const entry of entries) {
          if (!entry.isFile()) continue;
          const file = path.join(entry.parentPath, entry.name);
          const info = await stat(file).catch(() => undefined);
          if (info && info.mtimeMs < cutoff) {
            await rm(file, { force: true });
            removed++;
          }
        }
        return removed;
      },
    },
  };
}
