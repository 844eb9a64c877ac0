import type { LLM, LLMChunk, ToolSchema } from '../ports/llm.js';
import type { RunEvent } from './run-event.js';

/** A judge's answer: did the event fulfil the intent, and why. */
export interface Verdict {
  passed: boolean;
  reason: string;
}

/** The tool the judge answers with: `verdict({ passed, reason })`. */
export const VERDICT_TOOL: ToolSchema = {
  name: 'verdict',
  description: 'Report whether the message fulfils the intent.',
  parameters: {
    type: 'object',
    properties: {
      passed: { type: 'boolean', description: 'True only if the message clearly fulfils the intent.' },
      reason: { type: 'string', description: 'A short explanation of the judgement.' },
    },
    required: ['passed', 'reason'],
  },
};

export const JUDGE_INSTRUCTIONS = [
  'You are a test evaluator for conversational agents.',
  'You will be shown a message of an agent and a target intent. Decide whether the message fulfils the intent.',
  'Answer only by calling verdict({ passed, reason }). Without tools, answer with one line: "PASS: <reason>" or "FAIL: <reason>".',
  'Be strict: if the message does not clearly fulfil the intent, it fails; say why.',
].join('\n');

/** The text a judge sees of an event. */
export function judgedContent(e: RunEvent): string {
  switch (e.type) {
    case 'message':
      return e.item.content;
    case 'function_call':
      return `a call of the function ${e.item.name} with the arguments ${e.item.arguments}`;
    case 'function_call_output':
      return `the ${e.item.isError ? 'error ' : ''}output of the function ${e.item.name}: ${e.item.output}`;
    case 'agent_handoff':
      return `a handoff of the conversation from agent ${e.item.oldAgentId ?? '(none)'} to agent ${e.item.newAgentId}`;
  }
}

/**
 * Asks `llm` whether `content` fulfils `intent`: one user message holding the intent and the
 * content (`Intent:\n...\n\nMessage:\n...`) under {@link JUDGE_INSTRUCTIONS}, with the
 * {@link VERDICT_TOOL} offered. The verdict is the tool call's arguments, or else the first line of
 * the text if it starts with PASS or FAIL. Null when the answer holds neither. LLM errors propagate.
 * @example const v = await askJudge(llm, { intent: 'greets the user', content: 'Hello!' });
 */
export async function askJudge(llm: LLM, o: { intent: string; content: string }): Promise<Verdict | { unparsed: string }> {
  const question = `Check whether the following message fulfils the given intent.\n\nIntent:\n${o.intent}\n\nMessage:\n${o.content}`;
  const chunks: AsyncIterable<LLMChunk> = llm.chat({
    history: [{ type: 'message', id: 'judge_question', role: 'user', content: question }],
    instructions: JUDGE_INSTRUCTIONS,
    tools: [VERDICT_TOOL],
    signal: new AbortController().signal,
  });
  let text = '';
  let call: string | null = null;
  for await (const c of chunks) {
    if (c.type === 'text') text += c.text;
    else if (c.type === 'toolCall' && c.name === VERDICT_TOOL.name && call === null) call = typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments);
  }
  if (call !== null) {
    const v = parseVerdictArgs(call);
    return v ?? { unparsed: `verdict(${call})` };
  }
  return parseVerdictText(text) ?? { unparsed: text };
}

function parseVerdictArgs(args: string): Verdict | null {
  let v: unknown;
  try {
    v = JSON.parse(args);
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object' || typeof (v as Verdict).passed !== 'boolean') return null;
  const reason = (v as { reason?: unknown }).reason;
  return { passed: (v as Verdict).passed, reason: typeof reason === 'string' ? reason : '' };
}

function parseVerdictText(text: string): Verdict | null {
  const first = text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  const m = /^(PASS|FAIL)\b[\s:.\-–—]*(.*)$/i.exec(first);
  if (!m) return null;
  const rest = text.slice(text.indexOf(first) + first.length).trim();
  return { passed: m[1]!.toUpperCase() === 'PASS', reason: [m[2]!.trim(), rest].filter(Boolean).join(' ') };
}
