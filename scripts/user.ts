import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import type { Role } from '../src/db/tables.js';
import { AppError } from '../src/errors.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { openDatabase } from '../src/platform/infrastructure.js';
import { findUserByUsername } from '../src/features/accounts/user.repository.js';
import { createUserService } from '../src/features/accounts/user.service.js';

const USAGE = `用法：
  npm run user -- list
  npm run user -- create <用户名> --role admin|editor|compiler [--password 密码] [--name 姓名]
  npm run user -- reset-password <用户名> [--password 密码]
  npm run user -- disable <用户名>
  npm run user -- enable <用户名>
不给 --password 时生成随机密码并只显示一次。`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { role: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
});
const [command, username] = positionals;

const config = loadConfig(process.env);
const logger = createLogger(process.env['LOG_LEVEL'] ?? 'warn');
const lifecycle = createLifecycle(logger);
let code = 0;
try {
  if (!command || (command !== 'list' && !username)) throw new Error(USAGE);
  const { db } = await openDatabase(config, logger, lifecycle, { search: false, maxConnections: 2 });
  // The shell acts as the machine's owner: null actor, outside the web's permission checks.
  const users = createUserService({ db });
  const password = values.password ?? randomBytes(12).toString('base64url');
  const showPassword = () => {
    if (!values.password) process.stdout.write(`初始密码：${password}（只显示这一次）\n`);
  };
  const idOf = async (name: string) => {
    const user = await findUserByUsername(db, name);
    if (!user) throw new Error(`用户不存在：${name}`);
    return user.id;
  };
  switch (command) {
    case 'list':
      for (const u of await db.selectFrom('users').select(['username', 'role', 'disabled']).orderBy('id').execute()) {
        process.stdout.write(`${u.username}\t${u.role}${u.disabled ? '\t已停用' : ''}\n`);
      }
      break;
    case 'create': {
      const role = values.role as Role | undefined;
      if (!role || !['admin', 'editor', 'compiler'].includes(role)) throw new Error('请用 --role 指定 admin、editor 或 compiler');
      await users.create(null, { username: username!, password, role, display_name: values.name ?? null });
      process.stdout.write(`已创建用户 ${username}（${role}）\n`);
      showPassword();
      break;
    }
    case 'reset-password':
      await users.resetPassword(null, username!, password);
      process.stdout.write(`已重置 ${username} 的密码，其所有会话和令牌已失效\n`);
      showPassword();
      break;
    case 'disable':
    case 'enable':
      await users.update(null, await idOf(username!), { disabled: command === 'disable' });
      process.stdout.write(`已${command === 'disable' ? '停用' : '启用'}用户 ${username}\n`);
      break;
    default:
      throw new Error(USAGE);
  }
} catch (error) {
  const details = error instanceof AppError && error.fields ? Object.values(error.fields).filter((m) => m !== error.message) : [];
  const fields = details.length ? `（${details.join('；')}）` : '';
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}${fields}\n`);
  code = 1;
} finally {
  await lifecycle.shutdown();
}
process.exit(code);
