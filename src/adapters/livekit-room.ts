import {
  AudioSource,
  LocalAudioTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
  type LocalTrackPublication,
} from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { describe, InvalidArgumentError, SpeechchartsError } from '../errors.js';
import { attachRoomInput } from './room-input-handler.js';
import { createRoomInputPolicy, type RoomInputPolicyOptions, type RoomInputRefusal } from './room-input-policy.js';
import type { UserInput } from './user-input.js';

/** Connecting to (or publishing in) a LiveKit room failed or timed out. */
export class RoomConnectionError extends SpeechchartsError {
  readonly url: string;
  constructor(url: string, reason: string, cause?: unknown) {
    super(`could not connect to LiveKit at ${url}: ${reason}`, { cause });
    this.url = url;
  }
}

/** A LiveKit environment variable is missing or invalid; the message names it. */
export class RoomConfigError extends SpeechchartsError {
  /** The variables at fault. */
  readonly variables: string[];
  constructor(message: string, variables: string[]) {
    super(message);
    this.variables = variables;
  }
}

/** The three LIVEKIT_* settings. */
export interface RoomEnv {
  url: string;
  apiKey: string;
  apiSecret: string;
}

/**
 * Reads LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET; throws {@link RoomConfigError}
 * naming each one that is missing, and LIVEKIT_URL when it is not a ws(s)/http(s) URL.
 * @example const { url, apiKey, apiSecret } = readRoomEnv(process.env);
 */
export function readRoomEnv(env: Record<string, string | undefined> = process.env): RoomEnv {
  const names = ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'] as const;
  const missing = names.filter((n) => !env[n]?.trim());
  if (missing.length) {
    throw new RoomConfigError(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not set (LiveKit needs LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET)`, missing);
  }
  const url = env.LIVEKIT_URL!.trim();
  if (!/^(wss?|https?):\/\/[^\s/]+/.test(url)) {
    throw new RoomConfigError(`LIVEKIT_URL must be a ws://, wss://, http:// or https:// URL, got ${JSON.stringify(url)}`, ['LIVEKIT_URL']);
  }
  return { url, apiKey: env.LIVEKIT_API_KEY!.trim(), apiSecret: env.LIVEKIT_API_SECRET!.trim() };
}

export interface MintTokenOptions {
  apiKey: string;
  apiSecret: string;
  identity: string;
  room: string;
  /** Seconds, or a zeit/ms span like '2h'. Default '1h'. */
  ttl?: number | string;
  /** Display name. */
  name?: string;
}

/**
 * A join token for `room` that may publish audio and data and subscribe.
 * @example const jwt = await mintToken({ apiKey, apiSecret, identity: 'agent', room: 'demo', ttl: 3600 });
 */
export async function mintToken(o: MintTokenOptions): Promise<string> {
  for (const k of ['apiKey', 'apiSecret', 'identity', 'room'] as const) {
    if (!o[k]) throw new InvalidArgumentError(`mintToken: ${k} is required`);
  }
  const at = new AccessToken(o.apiKey, o.apiSecret, { identity: o.identity, ttl: o.ttl ?? '1h', name: o.name });
  at.addGrant({ roomJoin: true, room: o.room, canPublish: true, canSubscribe: true, canPublishData: true });
  return at.toJwt();
}

export { CHAT_TOPIC, USER_INPUT_TOPIC, parseUserInput, type UserInput } from './user-input.js';

export interface ConnectRoomOptions {
  url: string;
  apiKey: string;
  apiSecret: string;
  roomName: string;
  identity: string;
  /** Published as the agent's microphone track (e.g. `RtcAudioOutput.source`). */
  audioSource: AudioSource;
  /** Accepted user input (the input policy applied: see `inputPolicy`). */
  onUserInput: (input: UserInput) => void;
  /**
   * Who may talk to the agent, how much and how often. Default: every participant, `force` from
   * nobody, 4 KiB per message, 5 messages per 10 s per sender. See {@link createRoomInputPolicy}.
   */
  inputPolicy?: RoomInputPolicyOptions;
  /** Refused input, and `force` dropped from accepted input. Default: `console.warn` of the refusal's message. */
  onRefused?: (refusal: RoomInputRefusal) => void;
  /** Deadline for connecting and publishing. Default 5000 ms. */
  connectTimeoutMs?: number;
  /** Where errors thrown by `onUserInput`/`onRefused` or while reading a text stream go. Default `console.error`. */
  onError?: (error: unknown) => void;
  /** Name of the published track. Default 'agent-voice'. */
  trackName?: string;
}

export interface ConnectedRoom {
  room: Room;
  track: LocalAudioTrack;
  publication: LocalTrackPublication;
  /** Leaves the room and closes the track (not the source). The process exits only after `disposeRtc()`. */
  disconnect(): Promise<void>;
}

/**
 * Joins a LiveKit room, publishes `audioSource` as a microphone track and delivers user input
 * (data messages on 'user_input', chat text streams on 'lk.chat') that passes `inputPolicy` to
 * `onUserInput`; refusals go to `onRefused`. A bad `inputPolicy` throws {@link InvalidArgumentError}
 * before connecting.
 * Fails with {@link RoomConnectionError} on error or after `connectTimeoutMs`, leaving no connection behind.
 * @example
 * const out = new RtcAudioOutput();
 * const { disconnect } = await connectRoom({ ...readRoomEnv(), roomName: 'demo', identity: 'agent',
 *   audioSource: out.source, onUserInput: ({ text }) => session.say(text),
 *   inputPolicy: { allowedIdentities: ['alice'], ratePerSender: { messages: 5, perMs: 10_000 } } });
 */
export async function connectRoom(o: ConnectRoomOptions): Promise<ConnectedRoom> {
  const timeoutMs = o.connectTimeoutMs ?? 5000;
  const onError = o.onError ?? ((e: unknown) => console.error('speechcharts: user input handler failed:', e));
  const policy = createRoomInputPolicy(o.inputPolicy ?? {});
  const token = await mintToken({ apiKey: o.apiKey, apiSecret: o.apiSecret, identity: o.identity, room: o.roomName });
  const room = new Room();

  attachRoomInput(room, { policy, onUserInput: o.onUserInput, onError, ...(o.onRefused ? { onRefused: o.onRefused } : {}) });

  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RoomConnectionError(o.url, `timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  deadline.catch(() => {});
  // The race below may leave this promise behind: a late success must still be torn down.
  const connecting = room.connect(o.url, token, { autoSubscribe: false, dynacast: false });
  let gaveUp = false;
  let track: LocalAudioTrack | undefined;
  connecting.then(
    () => {
      if (gaveUp) room.disconnect().catch(() => {});
    },
    () => {},
  );
  try {
    await Promise.race([connecting, deadline]);
    track = LocalAudioTrack.createAudioTrack(o.trackName ?? 'agent-voice', o.audioSource);
    const publishing = room.localParticipant!.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
    publishing.catch(() => {});
    const publication = await Promise.race([publishing, deadline]);
    const published = track;
    const disconnect = async () => {
      await room.disconnect();
      await published.close(false);
    };
    return { room, track, publication, disconnect };
  } catch (e) {
    gaveUp = true;
    await room.disconnect().catch(() => {});
    // false: the source belongs to the caller (their RtcAudioOutput), not to this track.
    await track?.close(false).catch(() => {});
    if (e instanceof RoomConnectionError) throw e;
    throw new RoomConnectionError(o.url, describe(e), e);
  } finally {
    clearTimeout(timer);
  }
}
