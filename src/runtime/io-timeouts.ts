/**
 * How long each I/O dependency may go without progress before the speech it serves fails with a
 * `DependencyStalledError` (milliseconds; `false` turns one limit off). The defaults follow LiveKit's
 * connection options: 10 s.
 * - `llmMs`: the LLM stream is open and yields no chunk.
 * - `ttsMs`: the TTS is asked for audio and has text to answer (it is not waiting for the LLM) but
 *   sends no frame; each frame and each text it takes restart the count.
 * - `audioOutputMs`: the audio output holds a frame (`captureFrame`) or the segment's end
 *   (`waitForPlayout` after `flush`) longer than the audio still to play plus this; or does not report
 *   a cut (`clearBuffer`) within this. Time the output is paused (a barge-in hold) does not count.
 * @example new AgentSession({ llm, tts, audioOutput, ioTimeouts: { llmMs: 20_000 } });
 */
export interface IoTimeouts {
  llmMs?: number | false;
  ttsMs?: number | false;
  audioOutputMs?: number | false;
}

/** The limits in force: `null` for a limit that is off. */
export interface IoLimits {
  llm: number | null;
  tts: number | null;
  audioOutput: number | null;
}

/** Each limit's default, in milliseconds. */
export const DEFAULT_IO_TIMEOUT_MS = 10_000;

/**
 * The limits a session runs with (`false` for all: none).
 * @example resolveIoTimeouts({ ttsMs: false }); // { llm: 10000, tts: null, audioOutput: 10000 }
 */
export function resolveIoTimeouts(o: IoTimeouts | false | undefined): IoLimits {
  if (o === false) return { llm: null, tts: null, audioOutput: null };
  const one = (v: number | false | undefined) => (v === false ? null : (v ?? DEFAULT_IO_TIMEOUT_MS));
  return { llm: one(o?.llmMs), tts: one(o?.ttsMs), audioOutput: one(o?.audioOutputMs) };
}
