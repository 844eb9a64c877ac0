import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_HOOK_TIMEOUT, BROWSER_TEST_TIMEOUT, BROWSER_WAIT, launchChromium, waitForCount } from './support/browser.js';
import { createInspectorServer, runSeedDemo, type InspectorServer } from '../src/inspect/index.js';
import { VirtualClock } from '../src/testing/index.js';


let browser: Browser;
let server: InspectorServer;
beforeAll(async () => {
  browser = await launchChromium();
  const clock = new VirtualClock();
  server = await createInspectorServer({ now: () => clock.now() });
  const { session } = await runSeedDemo({ inspect: server.inspect, clock });
  await session.close();
}, BROWSER_HOOK_TIMEOUT);
afterAll(async () => {
  await server?.close();
  await browser?.close();
});

/** The directives of a CSP header, by name. */
function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('the inspector page CSP', () => {
  it("allows only the server's own script file: no 'unsafe-inline' for scripts, no inline script in the page", async () => {
    const page = await fetch(server.url);
    const csp = directives(page.headers.get('content-security-policy') ?? '');
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    const html = await page.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.map((m) => [m[1]!.trim(), m[2]])).toEqual([['src="inspector.js"', '']]);
    expect(html).not.toMatch(/\son[a-z]+=/i); // no inline event handlers either

    const script = await fetch(`${server.url}inspector.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(script.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await script.text()).toContain('speechchartsInspector');
  });

  it('runs under its CSP in chromium without a violation, and blocks a script injected into the page', { timeout: BROWSER_TEST_TIMEOUT }, async () => {
    const page = await browser.newPage();
    try {
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
      });
      // Collected by the page itself: DevTools' init scripts are not subject to the page's CSP.
      await page.addInitScript(() => {
        const w = window as unknown as { cspViolations: string[] };
        w.cspViolations = [];
        document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`));
      });
      await page.goto(server.url);
      await page.waitForFunction((n) => document.body.dataset.records === String(n), server.records.length, BROWSER_WAIT);
      await waitForCount(page, '#actors .card .diagram svg', 5);
      expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
      expect(problems).toEqual([]);

      // What markup that slipped into the page would try: an inline script and an inline handler.
      await page.evaluate(() => {
        const s = document.createElement('script');
        s.textContent = '(window).injected = "script";';
        document.body.append(s);
        document.body.insertAdjacentHTML('beforeend', '<img src="data:," onload="window.injected = \'handler\'">');
      });
      await page.waitForFunction(() => (window as unknown as { cspViolations: string[] }).cspViolations.length === 2, undefined, BROWSER_WAIT);
      expect(await page.evaluate(() => (window as unknown as { injected?: string }).injected)).toBeUndefined();
      expect((await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).sort()).toEqual(['script-src-attr inline', 'script-src-elem inline']);
    } finally {
      await page.close();
    }
  });
});
