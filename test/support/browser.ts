import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { TestContext } from './context.js';

export const CHROMIUM = '/usr/bin/chromium';

/** The flags this machine needs: no sandbox as root, and no background traffic to a closed network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface BrowserSession {
  base: string;
  /** Launched on first use, so that a missing Chromium fails each test with a message, not the file. */
  browser(): Promise<BrowserContext>;
  /** Everything the page complained about: console errors, uncaught errors, CSP violations. */
  problems: string[];
  close(): Promise<void>;
}

/** Serves the test context's app on an ephemeral port and drives it with Debian's Chromium. */
export async function openBrowserSession(ctx: TestContext): Promise<BrowserSession> {
  const server: Server = ctx.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const problems: string[] = [];
  let profile: string | undefined;
  let launching: Promise<BrowserContext> | undefined;
  return {
    base,
    problems,
    browser() {
      if (!existsSync(CHROMIUM)) {
        return Promise.reject(new Error(`Chromium is missing at ${CHROMIUM}; the browser tests need it: apt-get install -y chromium fonts-noto-cjk`));
      }
      launching ??= (async () => {
        profile = await mkdtemp(path.join(os.tmpdir(), 'gfwj-chromium-'));
        // A persistent context is how Playwright takes a user-data-dir of our own.
        const context = await chromium.launchPersistentContext(profile, {
          executablePath: CHROMIUM,
          headless: true,
          acceptDownloads: true,
          locale: 'zh-CN',
          args: CHROMIUM_ARGS,
        });
        context.on('console', (message) => {
          if (message.type() === 'error') problems.push(message.text());
        });
        context.on('weberror', (error) => problems.push(error.error().message));
        return context;
      })();
      return launching;
    },
    async close() {
      await (await launching?.catch(() => undefined))?.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (profile) await rm(profile, { recursive: true, force: true });
    },
  };
}

const axeSource = readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's WCAG 2.1 A/AA rules on the page as it is; the serious and critical findings. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  // evaluate() runs through the debugging protocol, which the page's CSP does not govern.
  await page.evaluate(await axeSource);
  // A string, run in the page: this project compiles without the DOM library.
  const violations = await page.evaluate<{ id: string; impact: string; targets: string[] }[]>(`
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')) })))`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.targets.join(', ')}`);
}
