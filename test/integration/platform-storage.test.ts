import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage, type Storage } from '../../src/platform/storage.js';

let root: string;
let storage: Storage;
const DAY = 24 * 3600_000;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'gfwj-storage-'));
  storage = createLocalStorage(root);
});
afterAll(() => rm(root, { recursive: true, force: true }));

const files = async (dir: string) =>
  (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
const age = (file: string, ms: number) => utimes(file, new Date(Date.now() - ms), new Date(Date.now() - ms));
const stagedPath = (sha256: string) => path.join(root, 'staging', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
const storedPath = (sha256: string) => path.join(root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);

describe('content-addressed storage', () => {
  it('keeps the same bytes once', async () => {
    const a = await storage.put(Buffer.from('同一份原件'));
    const b = await storage.put(Buffer.from('同一份原件'));
    expect(b).toEqual(a);
    expect((await files(root)).filter((name) => name === a.sha256)).toHaveLength(1);
    expect(await storage.has(a.sha256)).toBe(true);
  });
});

describe('staging area', () => {
  it('keeps staged uploads apart from the stored originals', async () => {
    const { sha256 } = await storage.staging.put(Buffer.from('待登记的原件'));
    expect(await storage.has(sha256)).toBe(false);
    expect((await storage.staging.read(sha256))?.toString()).toBe('待登记的原件');
  });

  it('reads nothing for a key that is not a digest, whatever path it spells', async () => {
    for (const key of ['../../etc/passwd', `${'a'.repeat(63)}/`, '', 'A'.repeat(64)]) expect(await storage.staging.read(key)).toBeUndefined();
  });

  it('forgets what was staged more than the given time ago, never a stored original', async () => {
    const old = await storage.staging.put(Buffer.from('两天前上传，无人登记'));
    const fresh = await storage.staging.put(Buffer.from('刚刚上传'));
    const again = await storage.staging.put(Buffer.from('两天前上传，今天又上传'));
    const kept = await storage.put(Buffer.from('已登记文件的原件'));
    await age(stagedPath(old.sha256), 2 * DAY);
    await age(stagedPath(again.sha256), 2 * DAY);
    await age(storedPath(kept.sha256), 2 * DAY);
    await storage.staging.put(Buffer.from('两天前上传，今天又上传'));

    expect(await storage.staging.removeOlderThan(DAY)).toBe(1);
    expect(await storage.staging.read(old.sha256)).toBeUndefined();
    expect(await storage.staging.read(fresh.sha256)).toBeDefined();
    expect(await storage.staging.read(again.sha256)).toBeDefined();
    expect(await storage.has(kept.sha256)).toBe(true);
    expect(await storage.staging.removeOlderThan(DAY)).toBe(0);
  });
});
