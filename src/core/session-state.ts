import type { ChatItem, FunctionCallItem, FunctionCallOutputItem } from '../ports/chat-item.js';

/**
 * The data the session's routing keeps beside the machines' snapshots: plain, cloneable, no
 * promises and no I/O handles, so the model explorer can copy it at every state it explores and the
 * runtime can hold the one copy it drives.
 */
export interface RoutedStep {
  /** 1-based index of the generation step. */
  index: number;
  /** The text generated so far (what history holds once it is heard). */
  text: string;
  /** A frame of this step was queued to the audio output (a segment is open). */
  segmentOpen: boolean;
  /** The audio output accepted the step's first frame. */
  speaking: boolean;
  /** The step's segment has ended (played whole, or the speech stopped). */
  playoutDone: boolean;
  messageCommitted: boolean;
  toolsCommitted: boolean;
  calls: FunctionCallItem[];
  /** The LLM was offered tools for this step (within maxToolSteps, and its agent spoke for the session when it started). */
  toolsOffered: boolean;
  /** Call ids of the step's tool runs, in call order. */
  tools: string[];
}

export interface RoutedSpeech {
  id: string;
  kind: 'say' | 'reply';
  /** `generateReply({ userInput })`: entered in history when the reply starts (or ends unstarted). */
  userInput: string | undefined;
  /** The user input is in history (at the first step's start, or at the end of a reply that never started). */
  userCommitted: boolean;
  /** `say(..., { addToHistory })`; replies always are. */
  addToHistory: boolean;
  priority: number;
  allowInterruptions: boolean;
  step: RoutedStep | null;
  /** The audio output was cleared under the speech: its cut position is awaited ('pending') or known. */
  cut: 'none' | 'pending' | 'reported';
  /** What was heard of the cut step, once reported. */
  cutContent: string;
  /** The machine ended while its cut was pending: the finish resumes when the report comes. */
  finishing: 'done' | 'interrupted' | 'failed' | null;
  /**
   * Commits of other speeches made while this one held the floor with its step's message not yet
   * in history (a queued reply's user input, a background tool's output): they follow that message.
   */
  commitsAfterMessage: ChatItem[];
  /** The agent (activity key) whose hook or tool created it, if any. */
  origin: string | null;
  /** The agent it speaks for: bound when its first step starts (its origin if still running, else the active agent). */
  agent: string | null;
  /** Created (or queued) during an agent transition: waits for the agent active once it ends. */
  held: boolean;
}

export interface RoutedTool {
  callId: string;
  name: string;
  speechId: string;
  step: number;
  /** What the LLM sees, once the run is final. */
  output: FunctionCallOutputItem | null;
  /** The tool returned `handoff(...)` to this agent (activity key): applied once its step played whole. */
  handoff: string | null;
}

/** One agent's entry into the session (an agent that enters twice gets two). */
export interface RoutedAgent {
  key: string;
  /** `Agent.id`, what `agent_handoff` items name. */
  agentId: string;
  /** For an `AgentTask`: the agent it paused, resumed when the task ends. */
  parent: string | null;
  /** Its activity machine exists (it entered, or is entering). */
  entered: boolean;
}

/** A change of the agent speaking for the session; one at a time, in the order asked. */
export type RoutedTransition = (
  | { kind: 'handoff'; to: string }
  | { kind: 'task'; task: string }
  | { kind: 'taskDone'; task: string }
) & {
  /** The agent stepping aside (null for the first agent's entry), set when the transition begins. */
  leaving: string | null;
  begun: boolean;
  /** The new agent speaks for the session (the handoff item is committed). */
  switched: boolean;
};

export interface SessionState {
  started: boolean;
  /** `close()` was called: no new speech is accepted. */
  closed: boolean;
  /** The speech whose pause holds the audio output, if any. */
  audioHeldBy: string | null;
  /** Unreleased speeches by id, in creation order. */
  speeches: Map<string, RoutedSpeech>;
  /** Tool runs of unreleased speeches. */
  tools: Map<string, RoutedTool>;
  history: ChatItem[];
  nextSpeech: number;
  nextItem: number;
  /** Agent entries by activity key, in entry order. */
  agents: Map<string, RoutedAgent>;
  /** The agent that answers new turns (its activity may still be entering). */
  activeAgent: string | null;
  /** Agent transitions asked for; the head one is under way. */
  transitions: RoutedTransition[];
  /** Speeches waiting for the current transition to end, in creation order. */
  held: string[];
  nextAgent: number;
}

/** A fresh session's routing data. */
export function initialSessionState(): SessionState {
  return {
    started: false,
    closed: false,
    audioHeldBy: null,
    speeches: new Map(),
    tools: new Map(),
    history: [],
    nextSpeech: 0,
    nextItem: 0,
    agents: new Map(),
    activeAgent: null,
    transitions: [],
    held: [],
    nextAgent: 0,
  };
}

/**
 * A deep copy for the model explorer (history items are immutable and shared).
 * @example const draft = cloneSessionState(state);
 */
export function cloneSessionState(s: SessionState): SessionState {
  const speeches = new Map<string, RoutedSpeech>();
  for (const [id, sp] of s.speeches)
    speeches.set(id, { ...sp, step: sp.step ? { ...sp.step, calls: [...sp.step.calls], tools: [...sp.step.tools] } : null, commitsAfterMessage: [...sp.commitsAfterMessage] });
  const tools = new Map<string, RoutedTool>();
  for (const [id, t] of s.tools) tools.set(id, { ...t });
  return {
    ...s,
    speeches,
    tools,
    history: [...s.history],
    agents: new Map([...s.agents].map(([k, a]) => [k, { ...a }])),
    transitions: s.transitions.map((t) => ({ ...t })),
    held: [...s.held],
  };
}
