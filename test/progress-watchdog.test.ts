import { describe, expect, it } from 'vitest';
import { ProgressWatchdog } from '../src/runtime/progress-watchdog.js';
import { VirtualClock } from '../src/testing/index.js';

describe('ProgressWatchdog', () => {
  it('reports a stall once, `ms` after the last arm; progress pushes the deadline without a new timer', async () => {
    const clock = new VirtualClock();
    const stalls: number[] = [];
    const dog = new ProgressWatchdog(clock, () => stalls.push(clock.now()));
    dog.arm(1_000);
    await clock.advance(900);
    dog.arm(1_000); // progress at 900: due at 1_900
    await clock.advance(900);
    dog.arm(1_000); // progress at 1_800: due at 2_800
    await clock.runAll();
    expect(stalls).toEqual([2_800]);
    dog.arm(1_000); // a fired watchdog stays quiet
    expect(clock.nextTimerIn()).toBeUndefined();
  });

  it('disarm clears its timer; an earlier deadline replaces the pending one; dispose is for good', async () => {
    const clock = new VirtualClock();
    const stalls: number[] = [];
    const dog = new ProgressWatchdog(clock, () => stalls.push(clock.now()));
    dog.arm(5_000);
    dog.disarm();
    expect(clock.nextTimerIn()).toBeUndefined();
    dog.arm(5_000);
    dog.arm(100); // shorter limit (an output wait with less audio left)
    expect(clock.nextTimerIn()).toBe(100);
    await clock.runAll();
    expect(stalls).toEqual([100]);
    const other = new ProgressWatchdog(clock, () => stalls.push(-1));
    other.dispose();
    other.arm(10);
    await clock.runAll();
    expect(stalls).toEqual([100]);
    expect(clock.nextTimerIn()).toBeUndefined();
  });
});
