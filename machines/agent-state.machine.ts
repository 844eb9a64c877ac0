import { setup } from 'xstate';

/**
 * The session's agent state, as LiveKit users know it: initializing → listening ⇄ thinking ⇄ speaking,
 * and closed at the end. The runtime derives the signals (a speech took the floor, its first frame
 * played, the floor is free) and sends them here, so the state is visible and inspectable.
 */
export type AgentState = 'initializing' | 'listening' | 'thinking' | 'speaking';

export type AgentStateEvent =
  | { type: 'STARTED' }
  | { type: 'THINKING' }
  | { type: 'SPEAKING' }
  | { type: 'LISTENING' }
  | { type: 'CLOSE' };

export const agentStateMachine = setup({
  types: { events: {} as AgentStateEvent },
}).createMachine({
  id: 'agentState',
  initial: 'initializing',
  on: { CLOSE: '.closed' },
  states: {
    initializing: { on: { STARTED: 'listening' } },
    listening: { on: { THINKING: 'thinking', SPEAKING: 'speaking' } },
    thinking: { on: { SPEAKING: 'speaking', LISTENING: 'listening' } },
    speaking: { on: { THINKING: 'thinking', LISTENING: 'listening' } },
    closed: { type: 'final' },
  },
});
