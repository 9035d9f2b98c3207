import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where original files live. Content-addressed: the key is the SHA-256 of the bytes. */
export interface Storage {
  put(bytes: Buffer): Promise<{ sha256: string; size: number }>;
  open(sha256: string): Promise<ReadStream>;
  has(sha256: string): Promise<boolean>;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function createLocalStorage(root: string): Storage {
  // Only hex digests ever reach the file system, so no caller can steer a path outside `root`.
  const pathOf = (sha256: string): string => {
    if (!SHA256.test(sha256)) throw new Error('invalid sha256');
    return path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  };
  return {
    async put(bytes) {
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const target = pathOf(sha256);
      const existing = await stat(target).catch(() => undefined);
      if (existing?.size === bytes.length) return { sha256, size: bytes.length };
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
    async open(sha256) {
      const file = pathOf(sha256);
      await stat(file);
      return createReadStream(file);
    },
    async has(sha256) {
      return (await stat(pathOf(sha256)).catch(() => undefined)) !== undefined;
    },
  };
}
