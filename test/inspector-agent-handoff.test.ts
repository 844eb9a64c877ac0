import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROWSER_HOOK_TIMEOUT, BROWSER_TEST_TIMEOUT, BROWSER_WAIT, launchChromium, waitForCount } from './support/browser.js';
import { createInspectorServer } from '../src/inspect/index.js';
import { runScenario } from '../src/scenario/run-scenario.js';
import { parseScenario } from '../src/scenario/scenario-schema.js';
import { FakeTTS, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';

// examples/handoff-during-tool.json with the inspector page watching (headless chromium, never
// downloaded): each agent entry is a card of its own, and each handoff a chip of the story strip.


declare global {
  interface Window {
    speechchartsInspector: { setCursor(i: number): void; follow(): void; records(): number; indexOf(pred: (r: unknown) => boolean): number };
  }
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
}, BROWSER_HOOK_TIMEOUT);
afterAll(async () => {
  await browser?.close();
});

const card = (actor: string) => `#actors .card[data-actor="${actor}"]`;

describe('the inspector on a run with agents, a handoff and a task', () => {
  it('shows each agent activity as a card and each handoff as a story chip that selects the new agent', { timeout: BROWSER_TEST_TIMEOUT }, async () => {
    const clock = new VirtualClock();
    const server = await createInspectorServer({ now: () => clock.now(), title: 'handoff-during-tool' });
    let page: Page | undefined;
    try {
      page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
      });
      await page.goto(server.url);
      await page.waitForFunction(() => document.body.dataset.connection === 'open', undefined, BROWSER_WAIT);

      const scenario = parseScenario(JSON.parse(readFileSync('examples/handoff-during-tool.json', 'utf8')));
      const result = await clock.runUntil(runScenario(scenario, { tts: new FakeTTS({ msPerChar: 50 }), audioOutput: new VirtualAudioOutput(clock), clock, inspect: server.inspect }), {
        what: 'the handoff example',
      });
      expect(result.status).toBe('completed');
      await page.waitForFunction((n) => document.body.dataset.records === String(n), server.records.length, BROWSER_WAIT);

      // One card per agent entry, labelled as an agent activity of that agent, each ended.
      const activities = ['agent_1:greeter', 'agent_3:booking', 'agent_4:phone_task'];
      expect(await page.locator('#actors .card[data-machine="agentActivity"]').evaluateAll((cs) => cs.map((c) => (c as HTMLElement).dataset.actor))).toEqual(activities);
      for (const a of activities) {
        expect(await page.locator(`${card(a)} .kind`).textContent()).toBe('agent activity');
        expect(await page.locator(`${card(a)} .sub`).textContent()).toBe(`agent ${a.split(':')[1]}`);
        expect(await page.getAttribute(card(a), 'data-state')).toBe('done');
      }
      await waitForCount(page, '#actors .card[data-machine="agentActivity"] .diagram svg', 3);

      // The story strip: a chip per handoff (not for the first agent's entry), in order, each about the agent taking over.
      const chips = page.locator('#story .chip.handoff');
      await expect.poll(() => chips.allTextContents()).toEqual([
        expect.stringMatching(/^⇄ handoff greeter → booking · /),
        expect.stringMatching(/^⇄ handoff booking → phone_task · /),
        expect.stringMatching(/^⇄ handoff phone_task → booking · /),
      ]);
      expect(await chips.evaluateAll((cs) => cs.map((c) => (c as HTMLElement).dataset.about))).toEqual(['agent_3:booking', 'agent_4:phone_task', 'agent_3:booking']);
      // The interrupt that kept the first handoff from happening is still in the story beside them.
      expect(await page.locator('#story .chip.interrupt').allTextContents()).toEqual([expect.stringMatching(/^⚡ AgentSession interrupts speech_1 · 1500 ms/)]);

      // A handoff chip takes the page to that moment, with the agent taking over selected.
      await chips.nth(1).click();
      await expect.poll(() => page!.textContent('#ctx-title')).toBe('agent_4:phone_task · agentActivity');
      // Just after the task took over, the booking agent is paused (its tool awaits the task) and the task is entering.
      expect(await page.getAttribute(card('agent_3:booking'), 'data-state')).toBe('paused');
      expect(await page.getAttribute(card('agent_1:greeter'), 'data-state')).toBe('done');
      const taskActive = await page.evaluate(() =>
        window.speechchartsInspector.indexOf((r) => {
          const x = r as { kind: string; actor?: string; value?: unknown };
          return x.kind === 'snapshot' && x.actor === 'agent_4:phone_task' && x.value === 'active';
        }),
      );
      await page.evaluate((i) => window.speechchartsInspector.setCursor(i), taskActive);
      expect(await page.getAttribute(card('agent_4:phone_task'), 'data-state')).toBe('active');
      expect(await page.getAttribute(card('agent_3:booking'), 'data-state')).toBe('paused');
      expect(await page.locator('#story .chip.handoff.future').count()).toBe(1);

      // The conversation panel shows the handoff items where they happened.
      expect(await page.locator('#conversation .msg[data-kind="agent_handoff"] .text').allTextContents()).toEqual(['greeter → booking', 'booking → phone_task', 'phone_task → booking']);
      expect(problems).toEqual([]);
    } finally {
      await page?.close();
      await server.close();
    }
  });
});
