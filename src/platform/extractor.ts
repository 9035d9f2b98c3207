import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../paths.js';

/**
 * A small pool of warm child processes that turn PDF and DOCX bytes into text.
 *
 * Why processes: pdf.js parses on the thread that calls it (a 300-page PDF blocks it for a second),
 * and a 500 kB flate bomb inflates to hundreds of MB of ArrayBuffers that worker_threads'
 * resourceLimits do not count (notes/pdf-and-chinese-search.md §1.5). Each child runs under an OS
 * data-segment limit (RLIMIT_DATA, which unlike RLIMIT_AS ignores V8's large address-space
 * reservations and so still lets Node start) and a wall-clock timeout; whatever a file does, the
 * server only sees a failed job.
 */

export type ExtractableKind = 'pdf' | 'docx';

export type ExtractorFailure =
  /** Needs a password to open. */
  | 'encrypted'
  /** Not a PDF/DOCX at all, empty, or truncated before its structure. */
  | 'invalid'
  /** Structure readable but no page could be decoded. */
  | 'damaged'
  /** Hit the memory limit. */
  | 'memory'
  | 'timeout'
  /** The child died for another reason. */
  | 'crashed';

export class ExtractorError extends Error {
  constructor(
    readonly reason: ExtractorFailure,
    readonly detail: string,
  ) {
    super(`extraction failed (${reason}): ${detail}`);
    this.name = 'ExtractorError';
  }
}

export interface RawExtraction {
  /** Text per page (one entry for DOCX), as the parser produced it. */
  pages: string[];
  /** 1-based pages whose content could not be decoded (left empty in `pages`). */
  failedPages: number[];
}

export type WorkerRequest = { id: number; kind: ExtractableKind; bytes: Uint8Array };
export type WorkerReply =
  | { ready: true }
  | ({ id: number; ok: true } & RawExtraction)
  | { id: number; ok: false; reason: ExtractorFailure; detail: string };

export interface ExtractorOptions {
  /** Child processes; one per core is what pays. */
  workers?: number;
  /** Per file, from being handed to a child to its answer. */
  timeoutMs?: number;
  /** RLIMIT_DATA of each child; V8's heap is capped below it. */
  memoryMb?: number;
  /** Recycle a child after this many files, so slow leaks in the parsers cannot accumulate. */
  maxJobsPerWorker?: number;
}

export interface Extractor {
  extract(kind: ExtractableKind, bytes: Buffer): Promise<RawExtraction>;
  stats(): { workers: number; busy: number; queued: number };
  close(): Promise<void>;
}

const EXTRACTOR_DEFAULTS = { workers: 2, timeoutMs: 60_000, memoryMb: 512, maxJobsPerWorker: 500 } as const;

interface Job {
  id: number;
  kind: ExtractableKind;
  bytes: Buffer;
  resolve: (value: RawExtraction) => void;
  reject: (error: Error) => void;
}

interface Worker {
  child: ChildProcess;
  ready: boolean;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  done: number;
  stderr: string;
}

/**
 * The compiled worker beside this file (the build), else the TypeScript source bundled to plain
 * JavaScript with esbuild (dev and tests run under tsx). Not tsx in the child: its loader hooks every
 * module the child loads and took pdf.js from ≈110 MB to ≈500 MB RSS, which the memory limit is
 * sized against. The bundle keeps node_modules imports external, so it lives where they resolve.
 */
function workerFile(): string {
  const compiled = fileURLToPath(new URL('./extractor-worker.js', import.meta.url));
  if (existsSync(compiled)) return compiled;
  const sources = ['./extractor-worker.ts', './extractor-canvas-stub.ts'].map((f) => fileURLToPath(new URL(f, import.meta.url)));
  const hash = createHash('sha256');
  for (const source of sources) hash.update(readFileSync(source));
  const out = path.join(projectRoot, 'node_modules', '.cache', 'gfwj-extractor', `worker-${hash.digest('hex').slice(0, 16)}.mjs`);
  if (!existsSync(out)) {
    const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    mkdirSync(path.dirname(out), { recursive: true });
    // Built beside and renamed: test files in parallel processes may build it at the same time.
    const temp = `${out}.${process.pid}.tmp`;
    esbuild.buildSync({ entryPoints: [sources[0]!], bundle: true, packages: 'external', platform: 'node', format: 'esm', outfile: temp, logLevel: 'error' });
    renameSync(temp, out);
  }
  return out;
}

export function createExtractorPool(options: ExtractorOptions = {}): Extractor {
  const { workers: size, timeoutMs, memoryMb, maxJobsPerWorker } = { ...EXTRACTOR_DEFAULTS, ...options };
  let file: string | undefined;
  const workers = new Set<Worker>();
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  function spawnWorker(): Worker {
    // The shell applies the limit and then execs node in its place, keeping the IPC descriptor.
    file ??= workerFile();
    const child = fork(file, [], {
      execPath: '/bin/sh',
      execArgv: [
        '-c',
        `ulimit -d ${memoryMb * 1024} && exec "$0" "$@"`,
        process.execPath,
        `--max-old-space-size=${Math.max(64, Math.floor(memoryMb * 0.6))}`,
      ],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const worker: Worker = { child, ready: false, job: null, timer: null, done: 0, stderr: '' };
    workers.add(worker);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      worker.stderr = (worker.stderr + chunk).slice(-2000);
    });
    child.on('message', (reply: WorkerReply) => onReply(worker, reply));
    child.on('error', (error) => stopped(worker, `spawn failed: ${error.message}`));
    child.on('exit', (code, signal) => stopped(worker, `exit ${code ?? signal}: ${worker.stderr.slice(-300)}`));
    // A child that never reports ready would strand the queue.
    worker.timer = setTimeout(() => {
      stopped(worker, 'did not start in time');
      child.kill('SIGKILL');
    }, timeoutMs);
    idle(worker);
    return worker;
  }

  /** An idle pool must not keep a script's process alive; a busy one must. */
  function idle(worker: Worker) {
    worker.child.unref();
    (worker.child.channel as { unref?: () => void } | undefined)?.unref?.();
  }
  function busy(worker: Worker) {
    worker.child.ref();
    (worker.child.channel as { ref?: () => void } | undefined)?.ref?.();
  }

  function clearTimer(worker: Worker) {
    if (worker.timer) clearTimeout(worker.timer);
    worker.timer = null;
  }

  function onReply(worker: Worker, reply: WorkerReply) {
    if ('ready' in reply) {
      clearTimer(worker);
      worker.ready = true;
      return void dispatch();
    }
    const job = worker.job;
    if (!job || job.id !== reply.id) return;
    clearTimer(worker);
    worker.job = null;
    worker.done++;
    idle(worker);
    if (reply.ok) job.resolve({ pages: reply.pages, failedPages: reply.failedPages });
    else job.reject(new ExtractorError(reply.reason, reply.detail));
    // A child that ran into its memory limit may hold on to fragments of it; start afresh.
    if (worker.done >= maxJobsPerWorker || (!reply.ok && reply.reason === 'memory')) retire(worker);
    dispatch();
  }

  function retire(worker: Worker) {
    workers.delete(worker);
    clearTimer(worker);
    worker.child.kill('SIGKILL');
  }

  /** A child died or was killed: its job fails, and a replacement is spawned on demand. */
  function stopped(worker: Worker, detail: string) {
    if (!workers.delete(worker)) return;
    clearTimer(worker);
    const job = worker.job;
    worker.job = null;
    if (job) {
      const oom = /out of memory|allocation failed/i.test(worker.stderr);
      job.reject(new ExtractorError(oom ? 'memory' : 'crashed', detail));
    } else if (!worker.ready) {
      // Dying before it could take work means it cannot start at all (no node, no tsx): respawning
      // would loop, so the waiting jobs fail instead.
      for (const waiting of queue.splice(0)) waiting.reject(new ExtractorError('crashed', `worker could not start: ${detail}`));
    }
    dispatch();
  }

  function dispatch() {
    if (closed) return;
    for (const worker of workers) {
      if (!queue.length) break;
      if (!worker.ready || worker.job) continue;
      const job = queue.shift()!;
      worker.job = job;
      busy(worker);
      worker.timer = setTimeout(() => {
        worker.job = null;
        job.reject(new ExtractorError('timeout', `no answer within ${timeoutMs} ms`));
        stopped(worker, 'timed out');
        worker.child.kill('SIGKILL');
      }, timeoutMs);
      const request: WorkerRequest = { id: job.id, kind: job.kind, bytes: job.bytes };
      worker.child.send(request);
    }
    // Children are spawned only for waiting work; the ones still starting count as capacity.
    const starting = [...workers].filter((w) => !w.ready).length;
    const wanted = Math.min(size - workers.size, queue.length - starting);
    for (let i = 0; i < wanted; i++) spawnWorker();
  }

  return {
    extract(kind, bytes) {
      if (closed) return Promise.reject(new ExtractorError('crashed', 'extractor closed'));
      return new Promise<RawExtraction>((resolve, reject) => {
        queue.push({ id: nextId++, kind, bytes, resolve, reject });
        dispatch();
      });
    },
    stats() {
      return { workers: workers.size, busy: [...workers].filter((w) => w.job).length, queued: queue.length };
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new ExtractorError('crashed', 'extractor closed'));
      const exits = [...workers].map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
            worker.child.once('exit', () => resolve());
            busy(worker);
            worker.child.kill('SIGKILL');
          }),
      );
      await Promise.all(exits);
    },
  };
}

let shared: Extractor | undefined;

/** The process-wide pool: one per process is the point (two workers on two cores). */
export function sharedExtractor(): Extractor {
  shared ??= createExtractorPool();
  return shared;
}
