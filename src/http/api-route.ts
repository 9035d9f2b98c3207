import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import { can, type Action, type Actor } from '../features/accounts/actor.js';
import { parseOrThrow } from './validation.js';

type Method = 'get' | 'post' | 'patch' | 'delete';

export interface RouteContext<P, Q, B, A extends Actor | null = Actor | null> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  /** Signed in for certain on routes that name a permission; maybe on public ones. */
  actor: A;
}

/**
 * One API route: its HTTP shape, its schemas and its handler together. The router and the OpenAPI
 * description are both generated from these, so the published contract cannot drift from the code.
 */
export interface ApiRoute<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  A extends Actor | null = Actor | null,
> {
  method: Method;
  path: string;
  summary: string;
  tag: string;
  /** Required permission; routes without one are public. */
  permission?: Action | 'authenticated';
  params?: P;
  query?: Q;
  body?: B;
  /** Accepts multipart/form-data with a `file` and a JSON `metadata` field instead of JSON. */
  multipart?: boolean;
  /** Takes a multipart/form-data upload whose one field is `file` (an import); the handler reads it. */
  upload?: boolean;
  status?: number;
  response?: z.ZodType;
  /** Returns the JSON to send, or undefined when the handler wrote the response itself. */
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>, A>) => Promise<unknown>;
}

/** A route that names a permission hands its handler the actor that holds it, never null. */
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(
  route: ApiRoute<P, Q, B, Actor> & { permission: Action | 'authenticated' },
): ApiRoute;
export function defineRoute<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType>(route: ApiRoute<P, Q, B>): ApiRoute;
export function defineRoute(route: ApiRoute<z.ZodType, z.ZodType, z.ZodType, never>): ApiRoute {
  return route as ApiRoute;
}

export function mountRoutes(router: Router, routes: ApiRoute[], extra: { multipart: (req: Request, res: Response) => Promise<unknown> }) {
  for (const route of routes) {
    router[route.method](route.path, async (req: Request, res: Response) => {
      const actor = (res.locals['actor'] as Actor | null | undefined) ?? null;
      if (route.permission) {
        if (!actor) throw new UnauthenticatedError();
        if (route.permission !== 'authenticated' && !can(actor, route.permission)) throw new ForbiddenError();
      }
      const params = route.params ? parseOrThrow(route.params, req.params, '路径参数有误') : {};
      const query = route.query ? parseOrThrow(route.query, req.query, '查询参数有误') : {};
      const rawBody = route.multipart ? await extra.multipart(req, res) : req.body;
      const body = route.body ? parseOrThrow(route.body, rawBody ?? {}) : undefined;
      // The permission check above is what makes `actor` non-null for the routes typed so.
      const result = await route.handler({ req, res, params, query, body, actor: actor as Actor });
      if (result !== undefined && !res.headersSent) res.status(route.status ?? 200).json(result);
    });
  }
}

const toJson = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

/** The path and query parameters, each property of their schemas one parameter. */
function parametersOf(route: ApiRoute): unknown[] {
  const parameters: unknown[] = [];
  for (const [where, schema] of [['path', route.params], ['query', route.query]] as const) {
    if (!schema) continue;
    const json = toJson(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      parameters.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: property });
    }
  }
  return parameters;
}

/** A JSON body (also accepted as multipart metadata beside a file), else a bare file upload. */
function requestBodyOf(route: ApiRoute): unknown {
  const body = route.body ? toJson(route.body, 'input') : undefined;
  if (body) {
    return {
      required: true,
      content: route.multipart
        ? {
            'application/json': { schema: body },
            'multipart/form-data': {
              schema: {
                type: 'object',
                properties: { file: { type: 'string', format: 'binary' }, metadata: { type: 'string', contentMediaType: 'application/json', contentSchema: body } },
              },
            },
          }
        : { 'application/json': { schema: body } },
    };
  }
  if (route.upload) {
    return {
      required: true,
      content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } } },
    };
  }
  return undefined;
}

/** One route's operation object. */
function operationOf(route: ApiRoute) {
  const parameters = parametersOf(route);
  const requestBody = requestBodyOf(route);
  return {
    summary: route.summary,
    tags: [route.tag],
    ...(route.permission ? { security: [{ bearer: [] }] } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: {
      [String(route.status ?? 200)]: {
        description: 'OK',
        ...(route.response ? { content: { 'application/json': { schema: toJson(route.response, 'output') } } } : {}),
      },
      '400': { description: '请求有误', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      ...(route.permission ? { '401': { description: '未登录' }, '403': { description: '无权限' } } : {}),
    },
  };
}

/** OpenAPI 3.1 (whose schemas are JSON Schema 2020-12, what zod emits). */
export function buildOpenApi(routes: ApiRoute[], info: { title: string; version: string }, prefix: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = prefix + route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][route.method] = operationOf(route);
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                fields: { type: 'object', additionalProperties: { type: 'string' } },
              },
            },
          },
        },
      },
    },
  };
}
