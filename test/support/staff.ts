import type supertest from 'supertest';
import type { TestContext } from './context.js';

export const csrfOf = (html: string): string => {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no CSRF token in the page');
  return token;
};

/** A supertest agent signed in through the real sign-in form, and the CSRF token of its session. */
export async function signedInAgent(ctx: TestContext, username: string, password: string): Promise<{ agent: supertest.Agent; csrf: string }> {
  const agent = ctx.request();
  const page = await agent.get('/staff/login');
  const res = await agent.post('/staff/login').type('form').send({ _csrf: csrfOf(page.text), username, password });
  if (res.status !== 303) throw new Error(`sign-in failed with ${res.status}`);
  const home = await agent.get('/staff');
  return { agent, csrf: csrfOf(home.text) };
}
