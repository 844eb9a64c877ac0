/**
 * The figures `metrics_collected` reports, LiveKit's shape (agents-js `metrics/base.ts`) with times in
 * milliseconds of the session's clock (a VirtualClock in tests, so the figures are exact there).
 */

/** One LLM request (one step of a reply). */
export interface LLMMetrics {
  type: 'llm_metrics';
  speechId: string;
  /** The reply's step (1 = the reply, 2+ = tool replies). */
  step: number;
  /** Clock time the request started. */
  timestamp: number;
  /** Time to first token: request → first chunk (text or tool call). -1 when no chunk came. */
  ttftMs: number;
  /** Request → end of the stream. */
  durationMs: number;
  /** Characters of text the LLM produced. */
  completionChars: number;
  /** Tool calls it made. */
  toolCalls: number;
  /** The stream was the preemptive generation's, started before the user's turn was committed (absent: a request of its own). */
  preemptive?: boolean;
  /** The stream ended early (the speech was interrupted or failed). */
  cancelled: boolean;
}

/** One TTS synthesis (one step's text). */
export interface TTSMetrics {
  type: 'tts_metrics';
  speechId: string;
  step: number;
  timestamp: number;
  /** Time to first byte: first text handed to the TTS → first audio frame. -1 when no frame came. */
  ttfbMs: number;
  /** First text → last frame. */
  durationMs: number;
  /** Seconds of audio produced, in ms. */
  audioDurationMs: number;
  charactersCount: number;
  cancelled: boolean;
}

/**
 * End of the user's utterance, for the reply to it. As far as the voice input can measure: the VAD's
 * end of speech and the STT's final transcript.
 */
export interface EOUMetrics {
  type: 'eou_metrics';
  speechId: string;
  timestamp: number;
  /** User stopped speaking (end of speech, before the VAD's trailing silence) → the turn was committed. */
  endOfUtteranceDelayMs: number;
  /** User stopped speaking → the final transcript arrived (0 when it came before the end of speech). */
  transcriptionDelayMs: number;
  /** User stopped speaking → the reply's first audio frame was queued (end to end); -1 when none played. */
  endToEndDelayMs: number;
}

export type AgentMetrics = LLMMetrics | TTSMetrics | EOUMetrics;

/** The same figures on an assistant message (`ChatMessage.metrics`): its step's LLM and TTS, and its turn's end of utterance. */
export interface MessageMetrics {
  llmTtftMs?: number;
  llmDurationMs?: number;
  ttsTtfbMs?: number;
  ttsAudioDurationMs?: number;
  /** User stopped speaking → this message's first audio frame (voice turns only). */
  endToEndDelayMs?: number;
  endOfUtteranceDelayMs?: number;
  transcriptionDelayMs?: number;
}
