import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalText,
  MEILI_URL: optionalText,
  MEILI_MASTER_KEY: optionalText,
  MEILI_BIN: optionalText,
  MEILI_INDEX_PREFIX: z.string().regex(/^[a-z0-9_]*$/, '只能包含小写字母、数字和下划线').default('gfwj_'),
  MEILI_MAX_INDEXING_MEMORY: optionalText,
  STORAGE_DIR: optionalText,
  ADMIN_USERNAME: z.string().default('admin'),
  ADMIN_PASSWORD: optionalText,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TIME_ZONE: z.string().default('Asia/Shanghai'),
  MAX_UPLOAD_MB: z.coerce.number().positive().default(50),
  MAX_JSON_KB: z.coerce.number().int().positive().default(2048),
  PUBLIC_URL: optionalText,
  RATE_LIMIT_SIGNIN_PER_MIN: z.coerce.number().int().positive().default(10),
  RATE_LIMIT_API_PER_MIN: z.coerce.number().int().positive().default(1200),
  TRUST_PROXY: optionalText,
  TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
});

/**
 * Express's "trust proxy" setting from TRUST_PROXY: off unless set, so the socket address counts and
 * nobody can choose their own rate-limit identity with X-Forwarded-For. A number is a hop count;
 * anything else is the proxies' addresses or subnets, comma-separated ("loopback", "10.0.0.1, 10.0.0.2").
 */
export type TrustProxy = boolean | number | string;

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** One entry of a proxy list as Express reads it: a name, an address, or an address/prefix. */
function isProxyEntry(entry: string): boolean {
  if (PROXY_NAMES.has(entry)) return true;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)) || isIP(prefix) === family;
}

function parseTrustProxy(value: string | undefined): TrustProxy {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number(value);
  // Checked here, so that a mistyped proxy is listed with the other bad variables instead of
  // stopping the server later with Express's English message.
  const bad = value.split(',').map((e) => e.trim()).filter((e) => !isProxyEntry(e));
  if (bad.length > 0) throw new Error(`配置有误：\n  TRUST_PROXY: 无法识别的代理地址 ${bad.join('、')}（应为 IP 地址、地址/前缀、loopback 等名称或跳数）`);
  return value;
}

export type Config = Readonly<{
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  meili: Readonly<{
    url: string | undefined;
    masterKey: string | undefined;
    binary: string | undefined;
    indexPrefix: string;
    maxIndexingMemory: string | undefined;
  }>;
  storageDir: string;
  admin: Readonly<{ username: string; password: string | undefined }>;
  logLevel: string;
  timeZone: string;
  maxUploadBytes: number;
  maxJsonBytes: number;
  publicUrl: string | undefined;
  rateLimits: Readonly<{ signInPerMinute: number; apiPerMinute: number }>;
  trustProxy: TrustProxy;
  tokenTtlDays: number;
}>;

/** Where absolute links point: PUBLIC_URL, else this server's own address; never a request's Host. */
export function publicBaseUrl(config: Pick<Config, 'publicUrl' | 'host' | 'port'>): string {
  const host = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return (config.publicUrl ?? `http://${host}:${config.port}`).replace(/\/+$/, '');
}

/** Parses the environment once; every bad variable is listed in one error. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`配置有误：\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  if (c.MEILI_URL && !c.MEILI_MASTER_KEY && c.NODE_ENV === 'production') {
    throw new Error('配置有误：\n  MEILI_MASTER_KEY: 生产环境连接 MEILI_URL 时必须设置');
  }
  if (c.NODE_ENV === 'production' && !c.PUBLIC_URL) {
    throw new Error('配置有误：\n  PUBLIC_URL: 生产环境必须设置（用户访问本站的地址，如 https://gfwj.example.gov.cn），链接和订阅源只用这个地址');
  }
  if (c.PUBLIC_URL && !/^https?:\/\/[^\s/]+/.test(c.PUBLIC_URL)) {
    throw new Error('配置有误：\n  PUBLIC_URL: 应为以 http:// 或 https:// 开头的地址');
  }
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: c.TIME_ZONE });
  } catch {
    throw new Error(`配置有误：\n  TIME_ZONE: 未知时区 ${c.TIME_ZONE}`);
  }
  const dataDir = path.resolve(c.DATA_DIR);
  return Object.freeze({
    env: c.NODE_ENV,
    host: c.HOST,
    port: c.PORT,
    dataDir,
    databaseUrl: c.DATABASE_URL,
    meili: Object.freeze({
      url: c.MEILI_URL,
      masterKey: c.MEILI_MASTER_KEY,
      binary: c.MEILI_BIN,
      indexPrefix: c.MEILI_INDEX_PREFIX,
      maxIndexingMemory: c.MEILI_MAX_INDEXING_MEMORY,
    }),
    storageDir: path.resolve(c.STORAGE_DIR ?? path.join(dataDir, 'files')),
    admin: Object.freeze({ username: c.ADMIN_USERNAME, password: c.ADMIN_PASSWORD }),
    logLevel: c.LOG_LEVEL,
    timeZone: c.TIME_ZONE,
    maxUploadBytes: Math.round(c.MAX_UPLOAD_MB * 1024 * 1024),
    maxJsonBytes: c.MAX_JSON_KB * 1024,
    publicUrl: c.PUBLIC_URL,
    rateLimits: Object.freeze({ signInPerMinute: c.RATE_LIMIT_SIGNIN_PER_MIN, apiPerMinute: c.RATE_LIMIT_API_PER_MIN }),
    trustProxy: parseTrustProxy(c.TRUST_PROXY),
    tokenTtlDays: c.TOKEN_TTL_DAYS,
  });
}
