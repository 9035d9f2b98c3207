/**
 * What a later change to the registers (or texts) would change in a finalised report: every figure
 * or text that differs between the published report and the report as counted today. Pure.
 */

export interface FigureDifference {
  /** Where in the report's JSON: "requests.received.natural_person". */
  path: string;
  published: number | string | boolean | null;
  current: number | string | boolean | null;
}

type Json = unknown;

/** Compares scalars leaf by leaf; lists (the documents behind a difference) are explanations, not figures. */
export function figureDifferences(published: Json, current: Json, path = ''): FigureDifference[] {
  if (Array.isArray(published) || Array.isArray(current)) return [];
  const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null;
  if (isObject(published) && isObject(current)) {
    const keys = [...new Set([...Object.keys(published), ...Object.keys(current)])];
    return keys.flatMap((k) => figureDifferences(published[k], current[k], path ? `${path}.${k}` : k));
  }
  const scalar = (v: Json) => (v === undefined || isObject(v) ? null : (v as number | string | boolean | null));
  return scalar(published) === scalar(current) ? [] : [{ path, published: scalar(published), current: scalar(current) }];
}
