/**
 * The part of `text` a listener heard, from the playback position.
 * `pulledChars` of the text were handed to the TTS and became `audioSeconds` of audio; the heard
 * share of that audio maps to the same share of those characters, cut back to whole words.
 * @example heardText('Let me check that for you', 25, 2.0, 1.0) // 'Let me check'
 */
export function heardText(text: string, pulledChars: number, audioSeconds: number, playbackPosition: number): string {
  if (playbackPosition <= 0 || audioSeconds <= 0 || pulledChars <= 0) return '';
  const share = Math.min(1, playbackPosition / audioSeconds);
  const chars = Math.min(text.length, Math.round(Math.min(pulledChars, text.length) * share));
  if (chars >= text.length) return text;
  // A word counts as heard once its last character has played.
  const cut = /\s/.test(text[chars] ?? ' ') ? chars : text.lastIndexOf(' ', chars);
  return cut <= 0 ? '' : text.slice(0, cut).trimEnd();
}
