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

/** `scan` is a PDF read by OCR; `image` a PNG/JPEG/TIFF read by OCR; `doc` an OLE Word or WPS file. */
export type ExtractableKind = 'pdf' | 'docx' | 'scan' | 'image' | 'ofd' | 'doc';

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

export type WorkerRequest = { id: number; kind: ExtractableKind; bytes: Uint8Array; pdftotext: boolean };
export type WorkerReply =
  | { ready: true }
  | ({ id: number; ok: true } & RawExtraction)
  | { id: number; ok: false; reason: ExtractorFailure; detail: string }
  /** OCR reports each page as it finishes it. */
  | { id: number; progress: { page: number; pages: number } };

export interface ExtractOptions {
  /** Instead of the pool's: OCR takes seconds a page, so its caller sizes the limit to the pages. */
  timeoutMs?: number;
  onProgress?: (progress: { page: number; pages: number }) => void;
}

export interface ExtractorOptions {
  /** Child processes; one per core is what pays. */
  workers?: number;
  /** Per file, from being handed to a child to its answer. */
  timeoutMs?: number;
  /** RLIMIT_DATA of each child; V8's heap is capped below it. */
  memoryMb?: number;
  /** Recycle a child after this many files, so slow leaks in the parsers cannot accumulate. */
  maxJobsPerWorker?: number;
  /** Read text-layer PDFs with poppler's pdftotext where installed (pdf.js otherwise, and for what it cannot read). */
  pdftotext?: boolean;
}

export interface Extractor {
  extract(kind: ExtractableKind, bytes: Buffer, options?: ExtractOptions): Promise<RawExtraction>;
  stats(): { workers: number; busy: number; queued: number };
  close(): Promise<void>;
}

const EXTRACTOR_DEFAULTS = { workers: 2, timeoutMs: 60_000, memoryMb: 512, maxJobsPerWorker: 500, pdftotext: true } as const;

interface Job {
  id: number;
  kind: ExtractableKind;
  bytes: Buffer;
  options: ExtractOptions;
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
  const sources = ['./extractor-worker.ts', './extractor-canvas-stub.ts', './extractor-readers.ts'].map((f) => fileURLToPath(new URL(f, import.meta.url)));
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

/** The state of one pool, shared by the functions below. */
interface Pool {
  settings: Required<ExtractorOptions>;
  workers: Set<Worker>;
  queue: Job[];
  /** The worker script, found (or built) when the first child is spawned. */
  file: string | undefined;
  nextId: number;
  closed: boolean;
}

export function createExtractorPool(options: ExtractorOptions = {}): Extractor {
  const pool: Pool = {
    settings: { ...EXTRACTOR_DEFAULTS, ...options },
    workers: new Set(),
    queue: [],
    file: undefined,
    nextId: 1,
    closed: false,
  };
  return {
    extract(kind, bytes, options = {}) {
      if (pool.closed) return Promise.reject(new ExtractorError('crashed', 'extractor closed'));
      return new Promise<RawExtraction>((resolve, reject) => {
        pool.queue.push({ id: pool.nextId++, kind, bytes, options, resolve, reject });
        dispatch(pool);
      });
    },
    stats() {
      return { workers: pool.workers.size, busy: [...pool.workers].filter((w) => w.job).length, queued: pool.queue.length };
    },
    close: () => closePool(pool),
  };
}

function spawnWorker(pool: Pool): Worker {
  const { memoryMb, timeoutMs } = pool.settings;
  // The shell applies the limit and then execs node in its place, keeping the IPC descriptor.
  pool.file ??= workerFile();
  const child = fork(pool.file, [], {
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
  pool.workers.add(worker);
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    worker.stderr = (worker.stderr + chunk).slice(-2000);
  });
  child.on('message', (reply: WorkerReply) => onReply(pool, worker, reply));
  child.on('error', (error) => stopped(pool, worker, `spawn failed: ${error.message}`));
  child.on('exit', (code, signal) => stopped(pool, worker, `exit ${code ?? signal}: ${worker.stderr.slice(-300)}`));
  // A child that never reports ready would strand the queue.
  worker.timer = setTimeout(() => {
    stopped(pool, worker, 'did not start in time');
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

function onReply(pool: Pool, worker: Worker, reply: WorkerReply) {
  if ('ready' in reply) {
    clearTimer(worker);
    worker.ready = true;
    return void dispatch(pool);
  }
  const job = worker.job;
  if (!job || job.id !== reply.id) return;
  if ('progress' in reply) return void job.options.onProgress?.(reply.progress);
  clearTimer(worker);
  worker.job = null;
  worker.done++;
  idle(worker);
  if (reply.ok) job.resolve({ pages: reply.pages, failedPages: reply.failedPages });
  else job.reject(new ExtractorError(reply.reason, reply.detail));
  // A child that ran into its memory limit may hold on to fragments of it; start afresh.
  if (worker.done >= pool.settings.maxJobsPerWorker || (!reply.ok && reply.reason === 'memory')) retire(pool, worker);
  dispatch(pool);
}

function retire(pool: Pool, worker: Worker) {
  pool.workers.delete(worker);
  clearTimer(worker);
  worker.child.kill('SIGKILL');
}

/** A child died or was killed: its job fails, and a replacement is spawned on demand. */
function stopped(pool: Pool, worker: Worker, detail: string) {
  if (!pool.workers.delete(worker)) return;
  clearTimer(worker);
  const job = worker.job;
  worker.job = null;
  if (job) {
    const oom = /out of memory|allocation failed/i.test(worker.stderr);
    job.reject(new ExtractorError(oom ? 'memory' : 'crashed', detail));
  } else if (!worker.ready) {
    // Dying before it could take work means it cannot start at all (no node, no tsx): respawning
    // would loop, so the waiting jobs fail instead.
    for (const waiting of pool.queue.splice(0)) waiting.reject(new ExtractorError('crashed', `worker could not start: ${detail}`));
  }
  dispatch(pool);
}

function dispatch(pool: Pool) {
  if (pool.closed) return;
  const { workers, queue } = pool;
  for (const worker of workers) {
    if (!queue.length) break;
    if (!worker.ready || worker.job) continue;
    startJob(pool, worker, queue.shift()!);
  }
  // Children are spawned only for waiting work; the ones still starting count as capacity.
  const starting = [...workers].filter((w) => !w.ready).length;
  const wanted = Math.min(pool.settings.workers - workers.size, queue.length - starting);
  for (let i = 0; i < wanted; i++) spawnWorker(pool);
}

/** Hands a job to a ready child, which is killed if it does not answer in time. */
function startJob(pool: Pool, worker: Worker, job: Job) {
  const timeoutMs = job.options.timeoutMs ?? pool.settings.timeoutMs;
  worker.job = job;
  busy(worker);
  worker.timer = setTimeout(() => {
    worker.job = null;
    job.reject(new ExtractorError('timeout', `no answer within ${timeoutMs} ms`));
    stopped(pool, worker, 'timed out');
    worker.child.kill('SIGKILL');
  }, timeoutMs);
  const request: WorkerRequest = { id: job.id, kind: job.kind, bytes: job.bytes, pdftotext: pool.settings.pdftotext };
  worker.child.send(request);
}

async function closePool(pool: Pool) {
  pool.closed = true;
  for (const job of pool.queue.splice(0)) job.reject(new ExtractorError('crashed', 'extractor closed'));
  const exits = [...pool.workers].map(
    (worker) =>
      new Promise<void>((resolve) => {
        if (worker.child.exitCode !== null || worker.child.signalCode !== null) return resolve();
        worker.child.once('exit', () => resolve());
        busy(worker);
        worker.child.kill('SIGKILL');
      }),
  );
  await Promise.all(exits);
}

let shared: Extractor | undefined;

/** The process-wide pool: one per process is the point (two workers on two cores). */
export function sharedExtractor(): Extractor {
  shared ??= createExtractorPool();
  return shared;
}
