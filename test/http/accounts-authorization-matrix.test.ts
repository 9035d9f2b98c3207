import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiRoute } from '../../src/http/api-route.js';
import { PERMISSIONS } from '../../src/features/accounts/actor.js';
import type { Role } from '../../src/db/tables.js';
import { createTestContext, type TestContext } from '../support/context.js';

let ctx: TestContext;
const tokens = {} as Record<Role, string>;
const ROLES: Role[] = ['admin', 'editor', 'compiler'];

beforeAll(async () => {
  ctx = await createTestContext();
  for (const role of ROLES) tokens[role] = (await ctx.user(role)).token;
});
afterAll(() => ctx?.close());

const routes = () => (ctx.app.locals['apiRoutes'] as ApiRoute[]).filter((r) => r.permission);
const pathOf = (route: ApiRoute) => '/api/v1' + route.path.replace(/:[a-z_]+/g, '987654');

function send(route: ApiRoute, token?: string) {
  const req = ctx.request()[route.method](pathOf(route));
  if (token) req.set('Authorization', `Bearer ${token}`);
  return route.method === 'get' || route.method === 'delete' ? req : req.send({});
}

describe('authorization matrix: every protected API route × anonymous and every role', () => {
  it('has protected routes to check, and no write route without a permission but sign-in', () => {
    expect(routes().length).toBeGreaterThan(5);
    const open = (ctx.app.locals['apiRoutes'] as ApiRoute[]).filter((r) => !r.permission && r.method !== 'get');
    expect(open.map((r) => `${r.method} ${r.path}`)).toEqual(['post /auth/token']);
  });

  it('answers 401 to anonymous callers on every protected route', async () => {
    for (const route of routes()) {
      const res = await send(route);
      expect({ route: `${route.method} ${route.path}`, status: res.status }).toEqual({ route: `${route.method} ${route.path}`, status: 401 });
    }
  });

  it('lets exactly the roles of the permission matrix through', async () => {
    for (const route of routes()) {
      for (const role of ROLES) {
        const res = await send(route, tokens[role]);
        const allowed = route.permission === 'authenticated' || PERMISSIONS[route.permission!].includes(role);
        const label = `${route.method} ${route.path} as ${role}`;
        if (allowed) expect({ label, status: res.status }).not.toMatchObject({ status: 403 });
        else expect({ label, status: res.status }).toEqual({ label, status: 403 });
        expect(res.status, label).not.toBe(401);
        expect(res.status, label).toBeLessThan(500);
      }
    }
  });
});
