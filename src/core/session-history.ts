import type { ChatItem, FunctionCallOutputItem } from '../ports/chat-item.js';
import type { SessionShell } from './session-ports.js';
import type { RoutedSpeech, RoutedStep, SessionState } from './session-state.js';

/**
 * What the session commits to history, and when: a reply's user input, a step's message (cut to
 * what was heard when interrupted), a step's function calls and outputs. History is in the order
 * things were heard (see {@link SessionHistory.addItem}).
 * @internal The router owns one.
 */
export class SessionHistory {
  constructor(
    private readonly state: SessionState,
    private readonly shell: SessionShell,
    /** The speech holding the floor, if any. */
    private readonly current: () => string | null,
  ) {}

  commitUserInput(sp: RoutedSpeech): void {
    if (sp.userCommitted || sp.kind !== 'reply' || sp.userInput === undefined) return;
    sp.userCommitted = true;
    this.addItem(sp, { type: 'message', id: this.newId(), role: 'user', content: sp.userInput });
  }

  commitMessage(sp: RoutedSpeech, st: RoutedStep, content: string, interrupted: boolean): void {
    if (st.messageCommitted) return;
    st.messageCommitted = true;
    // An interrupted reply that was never heard leaves no assistant message.
    if (sp.addToHistory && content.trim() !== '')
      this.addItem(sp, { type: 'message', id: this.newId(), role: 'assistant', content, ...(interrupted ? { interrupted: true } : {}) });
    this.flushCommitsAfter(sp);
  }

  /** The session moved to another agent: the item (none for the first agent's entry) and the event. */
  commitHandoff(oldAgentId: string | undefined, newAgentId: string, first: boolean): void {
    if (!first) this.pushItem({ type: 'agent_handoff', id: this.newId(), ...(oldAgentId !== undefined ? { oldAgentId } : {}), newAgentId });
    this.shell.agentHandoff(oldAgentId, newAgentId);
  }

  flushCommitsAfter(sp: RoutedSpeech): void {
    for (const item of sp.commitsAfterMessage.splice(0)) this.pushItem(item);
  }

  commitToolsIfSettled(sp: RoutedSpeech, st: RoutedStep): void {
    if (!st.playoutDone || st.toolsCommitted) return;
    if (st.tools.some((c) => this.state.tools.get(c)?.output == null)) return;
    this.commitTools(sp, st);
  }

  commitTools(sp: RoutedSpeech, st: RoutedStep): void {
    if (st.toolsCommitted || st.calls.length === 0) return;
    st.toolsCommitted = true;
    const outputs: FunctionCallOutputItem[] = [];
    for (const c of st.tools) {
      const o = this.state.tools.get(c)?.output;
      if (o) outputs.push(o);
    }
    for (const c of st.calls) this.addItem(sp, c);
    for (const o of outputs) this.addItem(sp, o);
    this.shell.toolsExecuted(sp.id, st.calls.slice(), outputs);
  }

  /**
   * History in the order things were heard: while another speech holds the floor with its step's
   * message not yet in history (it plays, or its cut position is awaited), what `from` commits
   * (a queued reply's user input, a background tool's output) follows that message.
   */
  private addItem(from: RoutedSpeech, item: ChatItem): void {
    const cur = this.current();
    const holder = cur !== null && cur !== from.id ? this.state.speeches.get(cur) : undefined;
    if (holder?.step && !holder.step.messageCommitted) holder.commitsAfterMessage.push(item);
    else this.pushItem(item);
  }

  private pushItem(item: ChatItem): void {
    this.state.history.push(item);
    this.shell.itemAdded(item);
  }

  newId(): string {
    return `item_${++this.state.nextItem}`;
  }
}
