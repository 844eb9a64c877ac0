import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/scenario/run-scenario.js';
import { parseScenario } from '../src/scenario/scenario-schema.js';
import { FakeTTS, VirtualAudioOutput, VirtualClock } from '../src/testing/index.js';
import { SPAN_COLOURS, renderTimelineSvg, stateKind, type TimelineInput } from '../src/cli/timeline-svg.js';

const handmade = (): TimelineInput => ({
  title: 'seed <&> "test"',
  subtitle: 'completed',
  lanes: [
    { id: 'speech_1', label: 'speech_1 reply', kind: 'speech' },
    { id: 'tool_call_1', label: 'slow_tool (call_1)', kind: 'tool' },
    { id: 'speech_2', label: 'speech_2 reply', kind: 'speech' },
  ],
  spans: [
    { lane: 'speech_1', state: 'active.playingOut', kind: 'playing', startMs: 200, endMs: 1400 },
    { lane: 'speech_1', state: 'interrupted', kind: 'interrupted', startMs: 1400, endMs: 4000, final: true },
    { lane: 'tool_call_1', state: 'active.awaitingPlayout', kind: 'awaitingPlayout', startMs: 480, endMs: 1400.4 },
    { lane: 'tool_call_1', state: 'aborted', kind: 'aborted', startMs: 1400.4, endMs: 4000, final: true },
    { lane: 'speech_2', state: 'active.playingOut', kind: 'playing', startMs: 1600, endMs: 4000 },
  ],
  marks: [
    { atMs: 0, kind: 'input', label: 'user: “go”' },
    { atMs: 1400, kind: 'interrupt', label: 'interrupt (force) + “stop & <do> this”' },
  ],
  figures: [
    { fromMs: 1400, ms: 0.42, label: 'interrupt → slow_tool wait settled' },
    { fromMs: 1400, ms: 0.9, label: 'interrupt → audio cut' },
    { fromMs: 1400, ms: 200, label: 'interrupt → next reply audible (speech_2)' },
  ],
  endMs: 4000,
});

describe('renderTimelineSvg', () => {
  it('is a self-contained SVG, the same bytes for the same input', () => {
    const a = renderTimelineSvg(handmade());
    expect(a).toBe(renderTimelineSvg(handmade()));
    expect(a.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(a.trimEnd().endsWith('</svg>')).toBe(true);
    expect(a).not.toMatch(/href=|<script|<image|url\((?!#clip-)/); // nothing external
    expect(a.match(/<g\b/g)!.length).toBe(a.match(/<\/g>/g)!.length);
    expect(Number.isNaN(Number(a.match(/height="([\d.]+)"/)![1]))).toBe(false);
    expect(a).not.toContain('NaN');
  });

  it('draws one lane per actor, labelled, and colours spans by kind', () => {
    const svg = renderTimelineSvg(handmade());
    for (const label of ['speech_1 reply', 'slow_tool (call_1)', 'speech_2 reply']) expect(svg).toContain(`>${label}</text>`);
    expect(svg).toContain(`fill="${SPAN_COLOURS.playing}"`);
    expect(svg).toContain(`fill="${SPAN_COLOURS.awaitingPlayout}"`);
    expect(svg).toContain(`fill="${SPAN_COLOURS.interrupted}" font-weight="600">interrupted</text>`);
    expect(svg).toContain('>aborted</text>');
    expect(svg).toContain('>playingOut</text>'); // the leaf of the state path, where it fits
  });

  it('marks the interrupt with a red line and its label, and annotates the figures', () => {
    const svg = renderTimelineSvg(handmade());
    expect(svg).toMatch(/<line [^>]*stroke="#dc2626" stroke-width="2"\/>/);
    expect(svg).toContain('interrupt (force) + “stop &amp; &lt;do&gt; this”');
    expect(svg).toContain('interrupt → slow_tool wait settled: 0.42 ms');
    expect(svg).toContain('interrupt → audio cut: 0.90 ms');
    expect(svg).toContain('interrupt → next reply audible (speech_2): 200.0 ms');
    expect(svg).toContain('<title>seed &lt;&amp;&gt; &quot;test&quot;</title>');
  });

  it('zooms on the milliseconds after the interrupt, where the short figures are visible', () => {
    const svg = renderTimelineSvg(handmade());
    expect(svg).toContain('zoom: -0.6 ms to +4 ms around the interrupt at 1.4 s');
    // The zoom draws the lanes again.
    expect(svg.split('>speech_1 reply</text>').length - 1).toBe(2);
    const noInterrupt = { ...handmade(), marks: [handmade().marks[0]!], figures: [] };
    expect(renderTimelineSvg(noInterrupt)).not.toContain('zoom:');
  });

  it('renders a real run of the seed scenario', async () => {
    const scenario = parseScenario(JSON.parse(readFileSync('examples/tool-preamble-interrupt.json', 'utf8')));
    const clock = new VirtualClock();
    const result = await clock.runUntil(runScenario(scenario, { tts: new FakeTTS({ msPerChar: 50 }), audioOutput: new VirtualAudioOutput(clock), clock }));
    const svg = renderTimelineSvg(result.timeline);
    expect(svg).toContain('speechcharts · tool-preamble-interrupt');
    for (const lane of ['agent state', 'scheduler (floor)', 'audio output', 'speech_1 reply', 'slow_tool (call_1)', 'speech_2 reply']) expect(svg).toContain(`>${lane}</text>`);
    expect(svg).toContain('interrupt → next reply audible (speech_2): 150.0 ms');
    expect(svg).toBe(renderTimelineSvg(result.timeline));
  });
});

describe('stateKind', () => {
  it('maps the states of each machine to a kind', () => {
    expect(stateKind('speech', 'queued')).toBe('queued');
    expect(stateKind('speech', 'active.generating')).toBe('generating');
    expect(stateKind('speech', 'active.playingOut')).toBe('playing');
    expect(stateKind('speech', 'active.awaitingTools')).toBe('awaitingTools');
    expect(stateKind('speech', 'interrupted')).toBe('interrupted');
    expect(stateKind('tool', 'active.awaitingPlayout')).toBe('awaitingPlayout');
    expect(stateKind('tool', 'active.running')).toBe('running');
    expect(stateKind('tool', 'aborted')).toBe('aborted');
    expect(stateKind('agent', 'speaking')).toBe('playing');
    expect(stateKind('scheduler', 'active · speech_1')).toBe('busy');
    expect(stateKind('scheduler', 'active')).toBe('idle');
    expect(stateKind('speech', 'somethingNew')).toBe('other');
  });
});
