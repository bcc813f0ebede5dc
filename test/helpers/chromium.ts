// Chromium for the browser suites (playwright-core driving Debian's chromium): where it is, launching it with the
// flags every suite uses, a test that prints why it skips when there is none, and a page that collects its errors.
import { existsSync } from 'node:fs';
import type { Test } from 'uvu';
import type { Browser, Page } from 'playwright-core';

/** The chromium to drive: CHROMIUM_PATH, else Debian's; undefined when this machine has none (the suites skip). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

/** No sandbox (tests run as any user) and no traffic of chromium's own: no updates, sync, first-run pages or QUIC. */
const FLAGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'];

/** Launches CHROMIUM (headless) with the suites' flags and `extraArgs` after them. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...extraArgs] });
}

/** A test of `suite` that runs `fn` where there is a chromium, and elsewhere prints that it skipped and why. */
export function chromiumTest(suite: Test) {
  return (name: string, fn: () => Promise<void>) =>
    suite(name, async () => {
      if (CHROMIUM === undefined) {
        console.log(`  skipped "${name}": no chromium here (install Debian's chromium or set CHROMIUM_PATH)`);
        return;
      }
      await fn();
    });
}

/**
 * A new 1280x900 page of `browser` that collects its uncaught errors, and its console errors unless `consoleErrors`
 * is false, opened on `address`; with `ready`, resolved once the page's `globalThis[ready].ready` is true.
 */
export async function openPage(browser: Browser, address: string, options: { ready?: string; consoleErrors?: boolean } = {}): Promise<{ p: Page; errors: string[] }> {
  const p = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  if (options.consoleErrors ?? true) p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(address);
  if (options.ready !== undefined) await p.waitForFunction((name) => (globalThis as any)[name]?.ready === true, options.ready, { timeout: 60_000 });
  return { p, errors };
}
