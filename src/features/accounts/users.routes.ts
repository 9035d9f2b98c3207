import { defineRoute } from '../../http/api-route.js';
import { idParam, isoDate, paging, requiredText, text, z } from '../../http/validation.js';
import type { AuditService } from './audit.service.js';
import type { UserService } from './user.service.js';

export const role = z.enum(['admin', 'editor', 'compiler'], { error: '角色应为 admin、editor 或 compiler' });

export const createUserBody = z
  .object({
    username: requiredText('用户名', 64),
    password: z.string({ error: '请输入密码' }).max(256),
    role,
    display_name: text('姓名', 50).nullish(),
  })
  .strict();

const updateUserBody = z
  .object({ role: role.optional(), disabled: z.boolean({ error: 'disabled 应为 true 或 false' }).optional(), display_name: text('姓名', 50).nullish() })
  .strict()
  .refine((v) => Object.keys(v).length > 0, { error: '没有要修改的字段' });

export const auditQuery = z.object({
  entity: text('对象类型', 50).optional(),
  entity_id: text('对象编号', 50).optional(),
  user_id: idParam('用户编号').optional(),
  action: text('操作', 50).optional(),
  from: isoDate('起始日期').optional(),
  to: isoDate('截止日期').optional(),
  ...paging,
});

export function userRoutes(users: UserService, audit: AuditService) {
  const idParams = z.object({ id: idParam('编号') });
  return [
    defineRoute({
      method: 'get',
      path: '/auth/tokens',
      summary: '我的访问令牌（不含令牌值）',
      tag: 'auth',
      permission: 'authenticated',
      handler: async ({ actor }) => ({ items: await users.listTokens(actor) }),
    }),
    defineRoute({
      method: 'post',
      path: '/auth/tokens',
      summary: '新建访问令牌（令牌值只显示这一次）',
      tag: 'auth',
      permission: 'authenticated',
      body: z.object({ name: requiredText('令牌名称', 100) }).strict(),
      status: 201,
      handler: ({ actor, body }) => users.createToken(actor, body.name),
    }),
    defineRoute({
      method: 'delete',
      path: '/auth/tokens/:id',
      summary: '撤销访问令牌',
      tag: 'auth',
      permission: 'authenticated',
      params: idParams,
      handler: async ({ actor, params }) => {
        await users.revokeToken(actor, params.id);
        return { revoked: true };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/users',
      summary: '用户列表',
      tag: 'users',
      permission: 'user:manage',
      handler: async ({ actor }) => ({ items: await users.list(actor) }),
    }),
    defineRoute({
      method: 'post',
      path: '/users',
      summary: '新建用户',
      tag: 'users',
      permission: 'user:manage',
      body: createUserBody,
      status: 201,
      handler: async ({ actor, body }) => ({ id: await users.create(actor, body) }),
    }),
    defineRoute({
      method: 'patch',
      path: '/users/:id',
      summary: '修改用户角色或停用',
      tag: 'users',
      permission: 'user:manage',
      params: idParams,
      body: updateUserBody,
      handler: async ({ actor, params, body }) => {
        await users.update(actor, params.id, body);
        return { updated: true };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/audit',
      summary: '审计日志',
      tag: 'users',
      permission: 'audit:read',
      query: auditQuery,
      handler: ({ actor, query }) => audit.list(actor, query),
    }),
  ];
}
