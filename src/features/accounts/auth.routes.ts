import { defineRoute } from '../../http/api-route.js';
import { text, z } from '../../http/validation.js';
import type { AuthService } from './auth.service.js';

const tokenBody = z
  .object({
    username: text('用户名', 64).refine((v) => v.length > 0, { error: '请输入用户名' }),
    password: z
      .string({ error: '请输入密码' })
      .min(1, { error: '请输入密码' })
      .max(256)
      .refine((v) => !v.includes('\u0000'), { error: '密码含有非法字符' }),
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
      response: z.object({ token: z.string(), expires_at: z.string() }),
      handler: ({ body, req, res }) => {
        res.set('Cache-Control', 'no-store');
        return auth.issueToken(body.username, body.password, req.ip ?? null);
      },
    }),
  ];
}
