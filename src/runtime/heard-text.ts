/** Speaking rate assumed when neither the TTS nor earlier speech tells it (≈ 150 words a minute). */
export const DEFAULT_CHARS_PER_SECOND = 14;

/**
 * How many characters of a step's text the listener heard at `playbackPosition` seconds.
 * When the TTS finished the step, its audio maps onto the text it was given proportionally (exact
 * for an even speaking rate). While it is still synthesizing, the audio made so far does not cover
 * the text pulled so far, so the speaking rate is used instead.
 * @example heardChars({ pulledChars: 40, audioSeconds: 2, synthesisDone: true, playbackPosition: 1, charsPerSecond: 14 }) // 20
 */
export function heardChars(o: {
  pulledChars: number;
  audioSeconds: number;
  synthesisDone: boolean;
  playbackPosition: number;
  charsPerSecond: number;
}): number {
  if (o.playbackPosition <= 0 || o.audioSeconds <= 0 || o.pulledChars <= 0) return 0;
  if (o.synthesisDone) return Math.round(o.pulledChars * Math.min(1, o.playbackPosition / o.audioSeconds));
  return Math.min(o.pulledChars, Math.round(o.playbackPosition * o.charsPerSecond));
}

/**
 * The first `chars` characters of `text`, cut back to whole words: a word counts as heard once its
 * last character has played.
 * @example heardText('Let me check that for you', 13) // 'Let me check'
 */
export function heardText(text: string, chars: number): string {
  if (chars <= 0) return '';
  if (chars >= text.length) return text;
  const cut = /\s/.test(text[chars] ?? ' ') ? chars : text.lastIndexOf(' ', chars);
  return cut <= 0 ? '' : text.slice(0, cut).trimEnd();
}
