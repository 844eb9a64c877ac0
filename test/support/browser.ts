import { chromium, type Browser, type Page } from 'playwright-core';

/** The flags the brief prescribes: a headless chromium that never reaches the network on its own. */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/**
 * How long a browser test waits for the page to reach a state. Not a timing claim: a ceiling for a
 * CI box whose two cores the other test files share (the page renders its diagrams with Graphviz
 * in wasm, which took over 10 s there once).
 */
export const BROWSER_WAIT = { timeout: 60_000 };
/** A browser test's own timeout: several waits in a row, each up to BROWSER_WAIT. */
export const BROWSER_TEST_TIMEOUT = 180_000;
/** For the beforeAll that launches chromium. */
export const BROWSER_HOOK_TIMEOUT = 60_000;

/** The system chromium (never a downloaded one). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * Waits until `selector` matches exactly `n` elements; on timeout, says how many it last saw.
 * @example await waitForCount(page, '#actors .card .diagram svg', 5);
 */
export async function waitForCount(page: Page, selector: string, n: number): Promise<void> {
  try {
    await page.waitForFunction(([s, k]) => document.querySelectorAll(s as string).length === k, [selector, n] as const, BROWSER_WAIT);
  } catch (error) {
    const seen = await page.evaluate((s) => document.querySelectorAll(s).length, selector).catch(() => 'unknown');
    throw new Error(`expected ${n} elements matching ${selector}, saw ${seen} after ${BROWSER_WAIT.timeout} ms`, { cause: error });
  }
}
