import { Agent, AgentSession, handoff, tool, type AgentSessionOptions, type LLM } from '../../src/index.js';
import { FakeLLM, FakeTTS, VirtualAudioOutput, VirtualClock, type FakeLLMResponse } from '../../src/testing/index.js';

/** An agent that greets on entry (its onEnter asks for a reply with instructions 'Greet the caller'). */
export class GreetingAgent extends Agent {
  override async onEnter() {
    this.session.generateReply({ instructions: 'Greet the caller' });
  }
}

/**
 * A front desk agent: `lookup` answers the weather, `transfer` hands off to a billing agent that
 * greets on entry.
 */
export function frontDesk() {
  const lookup = tool({
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' }, days: { type: 'number' } }, required: ['city'] },
    execute: async ({ city }: { city: string }) => `sunny in ${city}`,
  });
  const transfer = tool({ description: 'Transfer to billing', execute: async () => handoff({ agent: new GreetingAgent({ id: 'billing', instructions: 'BILLING' }) }) });
  return new Agent({ id: 'front_desk', instructions: 'FRONT DESK', tools: { lookup, transfer } });
}

/** The front desk's script for a FakeLLM. */
export const frontDeskScript: FakeLLMResponse[] = [
  { input: 'Weather in Paris?', content: 'Let me check.', toolCalls: [{ name: 'lookup', args: { city: 'Paris', days: 1 } }], ttft: 100 },
  { input: 'sunny in Paris', content: 'It is sunny in Paris.', ttft: 100 },
  { input: 'Billing please', toolCalls: [{ name: 'transfer', args: {} }], ttft: 100 },
  { input: 'instructions:Greet the caller', content: 'Billing here, how can I help?', ttft: 100 },
  { input: 'Hello', content: 'Hi! How can I help?', ttft: 100 },
];

/** A started session on virtual time, text-only or with audio fakes. */
export async function runSession(o: { audio: boolean; agent?: Agent; llm?: LLM | ((clock: VirtualClock) => LLM); script?: FakeLLMResponse[]; session?: Partial<AgentSessionOptions> }) {
  const clock = new VirtualClock();
  const llm = typeof o.llm === 'function' ? o.llm(clock) : (o.llm ?? new FakeLLM(o.script ?? frontDeskScript, { clock }));
  const audio = o.audio ? { tts: new FakeTTS({ msPerChar: 50 }), audioOutput: new VirtualAudioOutput(clock) } : {};
  const session = new AgentSession({ llm, clock, agent: o.agent ?? frontDesk(), ...audio, ...(o.session ?? {}) });
  const errors: Error[] = [];
  session.on('error', (e) => errors.push(e.error));
  await session.start();
  return { clock, llm, session, errors };
}
