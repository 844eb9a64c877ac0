import type { AgentSession, AgentSessionEventMap, ChatItem } from '../../src/index.js';

/** Resolves with the first history item added that matches (an event, never a wait on the wall clock). */
export function itemAdded(session: AgentSession, match: (item: ChatItem) => boolean): Promise<ChatItem> {
  return new Promise((resolve) => {
    const on = ({ item }: AgentSessionEventMap['conversation_item_added']) => {
      if (!match(item)) return;
      session.off('conversation_item_added', on);
      resolve(item);
    };
    session.on('conversation_item_added', on);
  });
}

export const assistantSaid = (text: string) => (i: ChatItem) => i.type === 'message' && i.role === 'assistant' && i.content === text;

/** The session's history as short lines. */
export function lines(session: AgentSession): string[] {
  return session.history.map((i) => (i.type === 'message' ? `${i.role}: ${i.content}` : i.type));
}

import { resampleLinear, synthesizeUserSpeech } from '../../src/voice/user-audio-synth.js';

/** `text` spoken by espeak-ng (the user's voice), at 48 kHz with `leadMs` of silence before and `tailMs` after. */
export async function userSpeech48k(text: string, leadMs = 300, tailMs = 1500): Promise<Int16Array> {
  const pcm = await synthesizeUserSpeech(text);
  const speech = resampleLinear(pcm.samples, pcm.sampleRate, 48000);
  const out = new Int16Array(Math.round((leadMs * 48000) / 1000) + speech.length + Math.round((tailMs * 48000) / 1000));
  out.set(speech, Math.round((leadMs * 48000) / 1000));
  return out;
}
