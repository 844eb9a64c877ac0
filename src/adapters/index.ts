/**
 * Real pipeline parts: espeak-ng TTS (and a synthetic fallback voice), an rtc-node audio output,
 * a recorder of what the listener heard, and a LiveKit room connection. A separate entry point
 * (`speechcharts/adapters`) so the core never loads rtc-node's native module unless asked to.
 */
export { EspeakTTS, EspeakError, EspeakNotFoundError, espeakAvailable, type EspeakTTSOptions } from './espeak-tts.js';
export { SyntheticVoiceTTS, type SyntheticVoiceTTSOptions } from './synthetic-tts.js';
export { createDefaultTTS, SYNTHETIC_FALLBACK_NOTICE, type DefaultTTSOptions } from './default-tts.js';
export { RtcAudioOutput, AudioOutputClosedError, disposeRtc, type RtcAudioOutputOptions } from './rtc-audio-output.js';
export { RecordingAudioOutput, RecordingFormatError, type RecordingAudioOutputOptions } from './heard-audio-recorder.js';
export {
  connectRoom,
  mintToken,
  readRoomEnv,
  parseUserInput,
  RoomConnectionError,
  RoomConfigError,
  USER_INPUT_TOPIC,
  CHAT_TOPIC,
  type ConnectRoomOptions,
  type ConnectedRoom,
  type MintTokenOptions,
  type RoomEnv,
  type UserInput,
} from './livekit-room.js';
export {
  createRoomInputPolicy,
  DEFAULT_MAX_INPUT_BYTES,
  DEFAULT_INPUT_RATE,
  type RoomInputPolicy,
  type RoomInputPolicyOptions,
  type RoomInputRefusal,
  type RoomInputRefusalReason,
  type RoomInputVerdict,
  type RoomInputFormat,
} from './room-input-policy.js';
export { attachRoomInput, type RoomInputSource, type ChatStreamReader, type RoomInputHandlerOptions } from './room-input-handler.js';
export { encodeWav, decodeWav, WavFormatError } from './wav.js';
export {
  runInRoom,
  RoomAgentError,
  type RoomAgent,
  type RoomAgentOptions,
  type RoomAgentEnd,
  type RoomAgentEndReason,
  type RoomAgentEvent,
} from './room-agent.js';
export type { AgentRoom, AgentRoomEvents, AgentRoomParticipant, AgentRoomPublication, AgentRoomLocalParticipant } from './agent-room.js';
export { MicrophoneFeed, MicrophoneFeedClosedError, type FrameStream, type FrameReader, type MicrophoneFeedOptions } from './microphone-feed.js';
