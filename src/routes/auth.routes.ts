import { defineRoute } from '../http/api-route.js';
import { z } from '../http/validation.js';
import type { AuthService } from '../services/auth.service.js';

export const tokenBody = z
  .object({
    username: z.string({ error: '请输入用户名' }).min(1, { error: '请输入用户名' }).max(64),
    password: z.string({ error: '请输入密码' }).min(1, { error: '请输入密码' }).max(256),
  })
  .strict();

export function authRoutes(auth: AuthService) {
  return [
    defineRoute({
      method: 'post',
      path: '/auth/token',
      summary: '用用户名和密码换取访问令牌',
      tag: 'auth',
      body: tokenBody,
      response: z.object({ token: z.string() }),
      handler: ({ body, req }) => auth.issueToken(body.username, body.password, req.ip ?? null),
    }),
  ];
}
