import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_HOOK_TIMEOUT, BROWSER_TEST_TIMEOUT, BROWSER_WAIT, launchChromium, waitForCount } from './support/browser.js';
import { runInspect } from '../src/cli/inspect.js';
import { combineInspectors, createInspectorServer, createTraceRecorder, runSeedDemo } from '../src/inspect/index.js';
import { VirtualClock } from '../src/testing/index.js';

const ARTIFACTS = join(import.meta.dirname, '..', 'test-artifacts');
const SCREENSHOT = join(ARTIFACTS, 'inspector-seed.png');
const TRACE = join(ARTIFACTS, 'inspector-seed.trace.jsonl');

interface Picture {
  actor: string;
  machine: string | null;
  state: string;
  status: string;
  outcome: string;
  highlighted: string[];
}
declare global {
  interface Window {
    speechchartsInspector: { picture(): Picture[]; setCursor(i: number): void; follow(): void; records(): number; indexOf(pred: (r: unknown) => boolean): number };
  }
}

let browser: Browser;
beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
}, BROWSER_HOOK_TIMEOUT);
afterAll(async () => {
  await browser?.close();
});

/** A page that fails the test on any script error or CSP violation, and on any request that leaves the inspector's origin. */
async function openPage(url: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const problems: string[] = [];
  const origin = new URL(url).origin;
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(origin) && !u.startsWith('ws://' + new URL(url).host) && !u.startsWith('data:')) problems.push(`left the inspector: ${u}`);
  });
  // CSP violations, as the page sees them (DevTools' init scripts are not subject to the page's CSP).
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`CSP violation: ${e.effectiveDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  return { page, problems };
}

const card = (actor: string) => `#actors .card[data-actor="${actor}"]`;

describe('the inspector page in headless chromium', () => {
  it('shows the seed scenario live, replays it from the trace file to the same picture, and scrubs back', { timeout: BROWSER_TEST_TIMEOUT }, async () => {
    const clock = new VirtualClock();
    const server = await createInspectorServer({ now: () => clock.now() });
    const recorder = createTraceRecorder({ file: TRACE, now: () => clock.now(), title: 'seed scenario' });
    let replay: Awaited<ReturnType<typeof runInspect>> | undefined;
    const pages: Page[] = [];
    try {
      const live = await openPage(server.url);
      pages.push(live.page);
      const { page } = live;
      await page.waitForFunction(() => document.body.dataset.connection === 'open', undefined, BROWSER_WAIT);

      // The seed scenario, with the page watching: the inspector and the trace file get the same stream.
      const { session } = await runSeedDemo({ inspect: combineInspectors(server.inspect, recorder.inspect), clock });
      await recorder.close();
      const total = server.records.length;
      await page.waitForFunction((n) => document.body.dataset.records === String(n), total, BROWSER_WAIT);
      await waitForCount(page, '#actors .card .diagram svg', 6);

      // The tool run reached its aborted state, the speech handle its interrupted state, and the new reply's handle is there.
      await expect.poll(() => page.getAttribute(card('tool_call_1'), 'data-state')).toBe('aborted');
      expect(await page.getAttribute(card('tool_call_1'), 'data-outcome')).toBe('bad');
      expect(await page.getAttribute(card('speech_1'), 'data-state')).toBe('interrupted');
      expect(await page.getAttribute(card('speech_1'), 'data-outcome')).toBe('bad');
      expect(await page.getAttribute(card('speech_2'), 'data-state')).toBe('done');
      // …and the diagrams say so: the final states are the highlighted nodes, the INTERRUPT edges the last ones taken.
      expect(await page.locator(`${card('tool_call_1')} [data-node="state:toolRun.aborted"]`).getAttribute('class')).toMatch(/\bcurrent\b/);
      expect(await page.locator(`${card('speech_1')} [data-node="state:speechHandle.interrupted"]`).getAttribute('class')).toMatch(/\bcurrent\b/);
      expect(await page.locator(`${card('tool_call_1')} [data-node="t:toolRun.active|INTERRUPT|toolRun.aborted"]`).getAttribute('class')).toMatch(/\btaken\b/);
      expect(await page.locator(`${card('speech_1')} [data-node="t:speechHandle.active|INTERRUPT|speechHandle.interrupted"]`).getAttribute('class')).toMatch(/\btaken\b/);

      // Interrupts and aborted waiters stand out: in the story, on the cards and in the event log.
      await expect.poll(() => page.locator('#story .chip.interrupt').allTextContents()).toEqual([
        '⚡ AgentSession interrupts speech_1 (force) · 900 ms',
        '⚡ speech_1 interrupts tool_call_1 (force) · 900 ms',
      ]);
      const bad = await page.locator('#story .chip.bad').allTextContents();
      // The speech's transition comes first; its tools are aborted by the effect that runs right after it.
      expect(bad).toEqual([expect.stringMatching(/^✖ speech_1 interrupted · waiters rejected/), expect.stringMatching(/^✖ tool_call_1 aborted · .*waiters rejected/)]);
      expect(await page.locator(`${card('tool_call_1')} .alarm`).textContent()).toContain('rejectPlayoutWaiters');
      expect(await page.locator('#log .row.interrupt').count()).toBe(2);
      expect(await page.locator('#log .row.interrupt').nth(1).textContent()).toMatch(/speech_1→tool_call_1INTERRUPT/);
      expect(await page.locator('#log .row.waiters', { hasText: 'rejectPlayoutWaiters' }).count()).toBe(1);
      // One lane per actor in the timeline.
      expect(await page.locator('#timeline .lane').evaluateAll((ls) => ls.map((l) => l.getAttribute('data-actor')))).toEqual(['agentState', 'scheduler', 'agent_1:default_agent', 'speech_1', 'tool_call_1', 'speech_2']);

      // The conversation panel: what the user said, what was heard of the agent (cut where interrupted), the tool's call and output.
      await expect
        .poll(() => page.locator('#conversation .msg').evaluateAll((rows) => rows.map((r) => `${(r as HTMLElement).dataset.kind}: ${r.querySelector('.text')?.textContent}${r.querySelector('.cut') ? ' ✂' : ''}`)))
        .toEqual([
          'user: Please run the slow tool for me',
          'assistant: Sure, let me run ✂',
          'function_call: slow_tool({})',
          'function_call_output: slow_tool → error: the tool was aborted because the user interrupted the speech',
          'user: Actually, never mind, do something else!',
          'assistant: Okay, something else then.',
        ]);

      // Pick an actor, see its context.
      await page.click(`${card('tool_call_1')} .card-head`);
      await expect.poll(() => page.textContent('#ctx-title')).toBe('tool_call_1 · toolRun');
      const ctx = JSON.parse((await page.textContent('#context'))!) as { state: string; context: Record<string, unknown> };
      expect(ctx).toMatchObject({ state: 'aborted', context: { callId: 'call_1', name: 'slow_tool', abortReason: 'interrupt' } });

      await page.screenshot({ path: SCREENSHOT });
      const livePicture = await page.evaluate(() => window.speechchartsInspector.picture());

      // Scrub back to just before the interrupt: the tool waits for its preamble's playout, and the new reply does not exist yet.
      const before = await page.evaluate(() => window.speechchartsInspector.indexOf((r) => (r as { kind: string; event?: { type?: string } }).kind === 'event' && (r as { event: { type: string } }).event.type === 'INTERRUPT') - 1);
      await page.evaluate((i) => window.speechchartsInspector.setCursor(i), before);
      expect(await page.getAttribute(card('speech_1'), 'data-state')).toBe('active.playingOut');
      expect(await page.getAttribute(card('tool_call_1'), 'data-state')).toBe('active.awaitingPlayout');
      expect(await page.locator(card('speech_2')).isHidden()).toBe(true);
      expect(await page.locator('#story .chip.bad.future').count()).toBe(2);
      // Only the first input has been said by then; the rest of the conversation is still ahead.
      expect(await page.locator('#conversation .msg:not(.future) .text').allTextContents()).toEqual(['Please run the slow tool for me']);
      await page.evaluate(() => window.speechchartsInspector.follow());
      await page.waitForFunction(() => document.querySelector('#actors .card[data-actor="tool_call_1"]')?.getAttribute('data-state') === 'aborted', undefined, BROWSER_WAIT);

      // Replaying the trace file (as `npx speechcharts inspect trace.jsonl` does) reproduces the same final picture.
      const out: string[] = [];
      replay = await runInspect(TRACE, (l) => out.push(l));
      expect(out.join('\n')).toContain(replay.url);
      const replayed = await openPage(replay.url);
      pages.push(replayed.page);
      await replayed.page.waitForFunction((n) => document.body.dataset.records === String(n), total, BROWSER_WAIT);
      await waitForCount(replayed.page, '#actors .card .diagram svg', 6);
      await expect.poll(() => replayed.page.evaluate(() => window.speechchartsInspector.picture())).toEqual(livePicture);
      expect(await replayed.page.textContent('#mode')).toBe('replay');

      // The same trace opened from disk in the live page (“Open trace…”) gives the same picture too.
      await page.setInputFiles('#open', TRACE);
      await page.waitForFunction(() => document.body.dataset.connection === 'file', undefined, BROWSER_WAIT);
      await waitForCount(page, '#actors .card .diagram svg', 6);
      await expect.poll(() => page.evaluate(() => window.speechchartsInspector.picture())).toEqual(livePicture);

      await session.close();
      expect(live.problems).toEqual([]);
      expect(replayed.problems).toEqual([]);
    } finally {
      for (const p of pages) await p.close();
      await replay?.close();
      await recorder.close();
      await server.close();
    }
  });
});
