import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isProcessAlive, takeOver, waitFor } from '../../src/platform/processes.js';

const children: ChildProcess[] = [];
const sleeper = () => {
  const child = spawn('sleep', ['60'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
};

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

describe('taking over an embedded server directory', () => {
  it('refuses while the app that started the server is alive, and stops the server once it is an orphan', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gfwj-takeover-'));
    try {
      const server = sleeper();
      const owner = sleeper();
      await writeFile(path.join(dir, 'server.pid'), `${server}\n`);
      await writeFile(path.join(dir, 'owner.pid'), `${owner}\n`);

      await expect(takeOver(dir, path.join(dir, 'server.pid'), 'SIGTERM')).rejects.toThrow(/正被进程/);
      expect(isProcessAlive(server)).toBe(true);

      process.kill(owner, 'SIGKILL');
      await waitFor(() => !isProcessAlive(owner) || children.find((c) => c.pid === owner)?.exitCode !== null, 5000, 'owner did not die');
      await takeOver(dir, path.join(dir, 'server.pid'), 'SIGTERM');
      await waitFor(() => children.find((c) => c.pid === server)?.signalCode === 'SIGTERM', 5000, 'server was not stopped');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
