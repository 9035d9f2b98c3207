import { z } from 'zod';
import { isValidIsoDate } from '../shared/dates.js';
import { ValidationError } from '../errors.js';

z.config(z.locales.zhCN());

export { z };

/** Text from users: trimmed, bounded, and free of NUL bytes (PostgreSQL rejects them mid-transaction). */
export const text = (label: string, max: number) =>
  z
    .string({ error: `${label}应为文本` })
    .trim()
    .max(max, { error: `${label}不能超过 ${max} 个字符` })
    .refine((v) => !v.includes('\u0000'), { error: `${label}含有非法字符` });

export const requiredText = (label: string, max: number) =>
  text(label, max).refine((v) => v.length > 0, { error: `${label}不能为空` });

export const isoDate = (label: string) =>
  z
    .string({ error: `${label}应为 YYYY-MM-DD 格式的日期` })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: `${label}应为 YYYY-MM-DD 格式的日期` })
    .refine(isValidIsoDate, { error: `${label}不是真实存在的日期` });

export const id = (label: string) =>
  z.number({ error: `${label}应为正整数` }).int({ error: `${label}应为正整数` }).positive({ error: `${label}应为正整数` }).max(2_147_483_647, { error: `${label}超出范围` });

/** An id in a path or query string: digits only, so '1abc' or '1e3' is an error, not 1. */
export const idParam = (label: string) =>
  z
    .string()
    .regex(/^[1-9]\d{0,9}$/, { error: `${label}应为正整数` })
    .transform(Number)
    .pipe(id(label));

/** A query value that may repeat (`kind=a&kind=b`) or be comma-separated (`kind=a,b`). */
export const listParam = <T extends z.ZodType>(item: T) =>
  z.preprocess((v) => {
    const values = Array.isArray(v) ? v : v === undefined ? [] : [v];
    const parts = values.flatMap((x) => (typeof x === 'string' ? x.split(',') : [x])).filter((x) => x !== '');
    return parts.length ? parts : undefined;
  }, z.array(item).max(50).optional());

export const paging = {
  page: z
    .string()
    .regex(/^\d{1,6}$/, { error: 'page 应为正整数' })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: 'page 应从 1 开始' }))
    .optional()
    .default(1),
  page_size: z
    .string()
    .regex(/^\d{1,4}$/, { error: 'page_size 应为 1 到 100 之间的整数' })
    .transform(Number)
    .pipe(z.number().int().min(1, { error: 'page_size 应为 1 到 100 之间的整数' }).max(100, { error: 'page_size 最大为 100' }))
    .optional()
    .default(20),
};

/** Parses or throws a ValidationError whose `fields` map each bad path to its message. */
export function parseOrThrow<T extends z.ZodType>(schema: T, value: unknown, message = '提交的数据有误'): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  // No prototype: a field named __proto__ must become a key, not the object's prototype.
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) fields[[...issue.path, key].join('.')] = '不支持的字段';
      continue;
    }
    const key = issue.path.join('.') || '_';
    fields[key] ??= issue.message;
  }
  throw new ValidationError(message, fields);
}

/** One page of an in-memory list, in the shape every list of the API answers. */
export function pageOf<T>(items: T[], query: { page: number; page_size: number }) {
  const start = (query.page - 1) * query.page_size;
  return { total: items.length, page: query.page, page_size: query.page_size, items: items.slice(start, start + query.page_size) };
}

/** A submitted filter form sends every field; an empty one means "not given", not "invalid". */
export function withoutBlanks(query: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== '' && !(Array.isArray(v) && v.every((x) => x === ''))));
}

/** A list page's pager: the number of pages, and a link to page n that keeps the other filters. */
export function pagerOf(query: Record<string, unknown>, total: number, pageSize: number) {
  const kept = Object.entries(query).filter((e): e is [string, string] => e[0] !== 'page' && typeof e[1] === 'string' && e[1] !== '');
  return {
    pages: Math.max(1, Math.ceil(total / pageSize)),
    pageLink: (page: number) => `?${new URLSearchParams([...kept, ['page', String(page)]])}`,
  };
}
