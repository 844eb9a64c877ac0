/**
 * Voice input for speechcharts: the user's audio through a VAD into the barge-in policy machine,
 * transcripts from an STT, user turns into `session.generateReply({ userInput })`.
 */
export { attachBargeIn, type AttachBargeInOptions, type BargeIn, type BargeInActivity } from './barge-in.js';
export { attachVoiceInput, scheduleScriptedSpeech, type ScriptedSpeech, type VoiceInput, type VoiceInputOptions } from './voice-input.js';
export { SileroVAD, VAD_SAMPLE_RATE, type SileroVADOptions, type VAD, type VADEvent } from './vad.js';
export { UserAudioInput, pcmFrames, wavFrames, type UserAudioInputOptions, type UserSpeechEvent } from './user-audio-input.js';
export { ScriptedSTT, transcriptOf, type ScriptedTranscript, type SpeechData, type SpeechEvent, type SpeechEventType, type STT, type Transcript } from './stt.js';
export { attachUserTurn, type AttachUserTurnOptions, type UserTurn, type UserTurnActivity } from './user-turn.js';
export { EOT_WINDOW_SAMPLES, LocalEndOfTurnModel, RecentAudio, ScriptedEndOfTurnModel, type EndOfTurnModel, type EndOfTurnPrediction } from './end-of-turn.js';
export { DEFAULT_USER_VOICE, coughNoise, mixTrack, resampleLinear, synthesizeUserSpeech, whiteNoise, type Pcm } from './user-audio-synth.js';
export {
  bargeInMachine,
  countWords,
  resolveBargeInOptions,
  BARGE_IN_TAGS,
  DEFAULT_BARGE_IN_OPTIONS,
  type BargeInContext,
  type BargeInEvent,
  type BargeInInput,
  type BargeInOptions,
} from '../../machines/barge-in.machine.js';
export {
  userTurnMachine,
  resolveUserTurnOptions,
  DEFAULT_USER_TURN_OPTIONS,
  DEFAULT_UNLIKELY_THRESHOLDS,
  type TurnDetectionMode,
  type UserState,
  type UserTurnInput,
  type UserTurnOptions,
} from '../../machines/user-turn.machine.js';
