/** User input from a room: its shape, its topics and the parser of a 'user_input' payload. No native code, so the input policy and its tests can use it. */

/** Text typed by a user in the room. */
export interface UserInput {
  text: string;
  /** Interrupt the agent's current speech. */
  interrupt?: boolean;
  /** Interrupt even a speech that does not allow interruptions. */
  force?: boolean;
  /** Identity of the participant who sent it, when known. */
  from?: string;
}

/** Data-message topic carrying user input. */
export const USER_INPUT_TOPIC = 'user_input';
/** Text-stream topic of LiveKit's chat (the playground and the components send it). */
export const CHAT_TOPIC = 'lk.chat';

/**
 * Parses a 'user_input' payload: UTF-8 text, or JSON `{text, interrupt?, force?}`. Undefined when
 * there is no text.
 * @example parseUserInput(new TextEncoder().encode('{"text":"stop","interrupt":true}')) // { text: 'stop', interrupt: true }
 */
export function parseUserInput(payload: Uint8Array | string): UserInput | undefined {
  const raw = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  const trimmed = raw.trim();
  if (trimmed.startsWith('{')) {
    try {
      const v = JSON.parse(trimmed) as unknown;
      if (v && typeof v === 'object' && typeof (v as { text?: unknown }).text === 'string') {
        const o = v as { text: string; interrupt?: unknown; force?: unknown };
        if (!o.text.trim()) return undefined;
        const input: UserInput = { text: o.text };
        if (typeof o.interrupt === 'boolean') input.interrupt = o.interrupt;
        if (typeof o.force === 'boolean') input.force = o.force;
        return input;
      }
    } catch {
      // Not JSON after all: it is plain text that starts with '{'.
    }
  }
  return trimmed ? { text: raw } : undefined;
}
