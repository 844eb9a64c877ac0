import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { schedulerMachine } from '../machines/index.js';

function scheduler() {
  const granted: string[] = [];
  const actor = createActor(schedulerMachine.provide({ actions: { grantFloor: (_, { id }) => granted.push(id) } }));
  actor.start();
  return { actor, granted, ctx: () => actor.getSnapshot().context, state: () => actor.getSnapshot().value };
}

describe('scheduler machine', () => {
  it('grants the floor to one speech at a time, highest priority first, FIFO within a priority', () => {
    const s = scheduler();
    s.actor.send({ type: 'ENQUEUE', id: 'a', priority: 5 });
    expect(s.granted).toEqual(['a']);
    for (const [id, priority] of [['b', 0], ['c', 5], ['d', 10], ['e', 5], ['f', 10]] as const) s.actor.send({ type: 'ENQUEUE', id, priority });
    expect(s.ctx().queue.map((q) => q.id)).toEqual(['d', 'f', 'c', 'e', 'b']);
    const order = ['a'];
    while (s.ctx().current) {
      s.actor.send({ type: 'RELEASE', id: s.ctx().current! });
      if (s.ctx().current) order.push(s.ctx().current!);
    }
    expect(order).toEqual(['a', 'd', 'f', 'c', 'e', 'b']);
    expect(s.granted).toEqual(order);
  });

  it('queues input while paused and serves it on resume: nothing is dropped', () => {
    const s = scheduler();
    s.actor.send({ type: 'PAUSE' });
    s.actor.send({ type: 'ENQUEUE', id: 'x', priority: 5 });
    s.actor.send({ type: 'ENQUEUE', id: 'y', priority: 5 });
    expect(s.granted).toEqual([]);
    expect(s.ctx().queue).toHaveLength(2);
    s.actor.send({ type: 'RESUME' });
    expect(s.granted).toEqual(['x']);
  });

  it('drains: lets the current speech finish, grants nothing new, keeps the queue, resumes after', () => {
    const s = scheduler();
    s.actor.send({ type: 'ENQUEUE', id: 'cur', priority: 5 });
    s.actor.send({ type: 'DRAIN' });
    s.actor.send({ type: 'ENQUEUE', id: 'later', priority: 10 });
    expect(s.state()).toBe('draining');
    s.actor.send({ type: 'RELEASE', id: 'cur' });
    expect(s.state()).toBe('drained');
    expect(s.granted).toEqual(['cur']);
    expect(s.ctx().queue.map((q) => q.id)).toEqual(['later']);
    s.actor.send({ type: 'RESUME' });
    expect(s.granted).toEqual(['cur', 'later']);
  });

  it('removes a queued speech that ended before its turn; a stale release changes nothing', () => {
    const s = scheduler();
    s.actor.send({ type: 'ENQUEUE', id: 'a', priority: 5 });
    s.actor.send({ type: 'ENQUEUE', id: 'b', priority: 5 });
    s.actor.send({ type: 'REMOVE', id: 'b' });
    s.actor.send({ type: 'RELEASE', id: 'zzz' });
    expect(s.ctx()).toEqual({ queue: [], current: 'a' });
  });

  it('has no INTERRUPT handler: an interrupt can never pause scheduling', () => {
    for (const node of Object.values(schedulerMachine.states)) expect(Object.keys(node.on)).not.toContain('INTERRUPT');
  });

  it('closes from every state', () => {
    for (const path of [[], [{ type: 'PAUSE' }], [{ type: 'DRAIN' }], [{ type: 'ENQUEUE', id: 'a', priority: 1 }, { type: 'DRAIN' }, { type: 'RELEASE', id: 'a' }]] as const) {
      const s = scheduler();
      for (const e of path) s.actor.send(e as never);
      s.actor.send({ type: 'CLOSE' });
      expect(s.actor.getSnapshot().status).toBe('done');
    }
  });
});
