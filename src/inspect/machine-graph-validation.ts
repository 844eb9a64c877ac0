import { InvalidMachineGraphError, MachineGraphTooLargeError } from './inspector-errors.js';
import type { MachineGraph } from './machine-diagram.js';

export interface MachineGraphLimits {
  /** Most states a graph may have (default 500; the speechcharts machines have under 30). */
  maxStates?: number;
  /** Most transitions a graph may have (default 2000). */
  maxTransitions?: number;
}

const NODE_TYPES = new Set(['atomic', 'compound', 'parallel', 'final', 'history']);

/**
 * Checks that `x`, parsed from JSON someone sent, is a {@link MachineGraph} of a size worth
 * drawing: every field of every state and transition has its type, and the counts are within
 * `limits`. Throws {@link InvalidMachineGraphError} or {@link MachineGraphTooLargeError}.
 * @example const graph = validateMachineGraph(JSON.parse(body), { maxStates: 500 });
 */
export function validateMachineGraph(x: unknown, limits: MachineGraphLimits = {}): MachineGraph {
  const maxStates = limits.maxStates ?? 500;
  const maxTransitions = limits.maxTransitions ?? 2000;
  const bad = (problem: string): never => {
    throw new InvalidMachineGraphError(problem);
  };
  if (!isObject(x)) return bad('expected an object');
  if (typeof x.id !== 'string') bad('id must be a string');
  if (!Array.isArray(x.nodes) || x.nodes.length === 0) bad('nodes must be a non-empty array');
  if (!Array.isArray(x.transitions)) bad('transitions must be an array');
  const nodes = x.nodes as unknown[];
  const transitions = x.transitions as unknown[];
  // Counted before the fields are walked: a huge graph is refused without reading it.
  if (nodes.length > maxStates) throw new MachineGraphTooLargeError('states', nodes.length, maxStates);
  if (transitions.length > maxTransitions) throw new MachineGraphTooLargeError('transitions', transitions.length, maxTransitions);
  nodes.forEach((n, i) => {
    const at = `nodes[${i}]`;
    if (!isObject(n)) return bad(`${at} must be an object`);
    if (typeof n.id !== 'string') bad(`${at}.id must be a string`);
    if (!isStrings(n.path)) bad(`${at}.path must be an array of strings`);
    if (!isStringOrNull(n.parent)) bad(`${at}.parent must be a string or null`);
    if (typeof n.type !== 'string' || !NODE_TYPES.has(n.type)) bad(`${at}.type must be one of ${[...NODE_TYPES].join(', ')}`);
    if (!isStringOrNull(n.initial)) bad(`${at}.initial must be a string or null`);
    for (const k of ['tags', 'entry', 'exit', 'invoke'] as const) if (!isStrings(n[k])) bad(`${at}.${k} must be an array of strings`);
    if (typeof n.bad !== 'boolean') bad(`${at}.bad must be a boolean`);
  });
  transitions.forEach((t, i) => {
    const at = `transitions[${i}]`;
    if (!isObject(t)) return bad(`${at} must be an object`);
    if (typeof t.source !== 'string') bad(`${at}.source must be a string`);
    if (typeof t.event !== 'string') bad(`${at}.event must be a string`);
    if (!isStrings(t.targets)) bad(`${at}.targets must be an array of strings`);
    if (!isStringOrNull(t.guard)) bad(`${at}.guard must be a string or null`);
    if (typeof t.fallback !== 'boolean') bad(`${at}.fallback must be a boolean`);
    if (!isStrings(t.actions)) bad(`${at}.actions must be an array of strings`);
  });
  return x as unknown as MachineGraph;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function isStrings(x: unknown): x is string[] {
  return Array.isArray(x) && x.every((s) => typeof s === 'string');
}

function isStringOrNull(x: unknown): x is string | null {
  return x === null || typeof x === 'string';
}
