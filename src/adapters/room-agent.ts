import { AudioStream, LocalAudioTrack, ParticipantKind, TrackKind, TrackPublishOptions, TrackSource, type Track } from '@livekit/rtc-node';
import { AgentSession, type AgentSessionOptions } from '../agent-session.js';
import { describe, InterruptionRefusedError, InvalidArgumentError, SpeechchartsError } from '../errors.js';
import { realClock } from '../ports/clock.js';
import type { TTS } from '../ports/tts.js';
import { attachVoiceInput, type VoiceInput, type VoiceInputOptions } from '../voice/voice-input.js';
import { VAD_SAMPLE_RATE } from '../voice/vad.js';
import type { AgentRoom, AgentRoomEvents, AgentRoomParticipant, AgentRoomPublication } from './agent-room.js';
import { MicrophoneFeed } from './microphone-feed.js';
import { attachRoomInput } from './room-input-handler.js';
import { createRoomInputPolicy, type RoomInputPolicyOptions, type RoomInputRefusal } from './room-input-policy.js';
import { RtcAudioOutput } from './rtc-audio-output.js';
import type { UserInput } from './user-input.js';

/** Participant kinds served by default: LiveKit's RoomIO default (not agents, egress or ingress). */
const SERVED_KINDS: readonly ParticipantKind[] = [ParticipantKind.STANDARD, ParticipantKind.SIP, ParticipantKind.CONNECTOR];
/** The attribute a participant publishing for an agent (an avatar) carries, naming that agent. */
const PUBLISH_ON_BEHALF = 'lk.publish_on_behalf';

/** `runInRoom` could not start: the room is not connected, or publishing the agent's voice failed. */
export class RoomAgentError extends SpeechchartsError {}

/** Why a room agent ended. */
export type RoomAgentEndReason =
  /** The participant it served left the room. */
  | 'participant_disconnected'
  /** The room connection ended (the agent was disconnected, or the room closed). */
  | 'room_disconnected'
  /** `close()` was called. */
  | 'closed';

/** What `closed` resolves with. */
export interface RoomAgentEnd {
  reason: RoomAgentEndReason;
  /** Identity of the participant it served, if it served one. */
  participant: string | undefined;
}

/** What the room agent did, for logs and tests. */
export type RoomAgentEvent =
  | { type: 'participantLinked'; identity: string }
  /** The participant's microphone track is read (a new track replaces the previous one). */
  | { type: 'microphoneOpened'; identity: string; trackSid: string | undefined }
  /** The track went away (unsubscribed or unpublished): the voice input waits for the next one. */
  | { type: 'microphoneClosed'; identity: string; trackSid: string | undefined }
  | { type: 'closed'; reason: RoomAgentEndReason; participant: string | undefined };

export interface RoomAgentOptions extends Omit<AgentSessionOptions, 'audioOutput' | 'tts'> {
  /** The agent's voice. Its sample rate and channels are the published track's. */
  tts: TTS;
  /**
   * Identity of the participant to serve (listen to, and end with). Default: the first remote
   * participant already in the room or joining it that is a user (standard, SIP or connector, as
   * LiveKit's RoomIO; not an agent, nor one publishing on this agent's behalf).
   */
  participantIdentity?: string;
  /**
   * The voice input: VAD (default a new `SileroVAD`), STT, turn-taking (`turn`), barge-in policy
   * (`options`), end-of-turn model, and their callbacks; as `attachVoiceInput` takes them.
   */
  voice?: Omit<VoiceInputOptions, 'source' | 'clock'>;
  /**
   * Who may talk to the agent by text (data on 'user_input', chat on 'lk.chat'), how much and how
   * often. Default: every participant, `force` from nobody, 4 KiB, 5 messages per 10 s per sender.
   */
  inputPolicy?: RoomInputPolicyOptions;
  /** Refused text input. Default: `console.warn` of its message. */
  onRefused?: (refusal: RoomInputRefusal) => void;
  /** Errors of the room side (input handlers, stream teardown, unpublishing). Default `console.error`. */
  onError?: (error: unknown) => void;
  onEvent?: (event: RoomAgentEvent) => void;
  /** Name of the published track. Default 'agent-voice'. */
  trackName?: string;
  /** Audio the agent's voice source buffers ahead of playback (ms). Default 200. */
  queueSizeMs?: number;
}

/** A session running in a room. */
export interface RoomAgent {
  readonly session: AgentSession;
  readonly voice: VoiceInput;
  /** The agent's voice, published as a microphone track. */
  readonly track: LocalAudioTrack;
  /** Identity of the participant served, once one is linked. */
  readonly participant: string | undefined;
  /** Resolves (never rejects) once the agent has ended and released everything; errors on the way go to `onError`. */
  readonly closed: Promise<RoomAgentEnd>;
  /** Ends the agent (reason 'closed' unless it had already ended); resolves as `closed` does. Leaves the room connected. */
  close(): Promise<RoomAgentEnd>;
}

/**
 * Runs a speechcharts session in a connected LiveKit room: publishes the agent's voice as a
 * microphone track, listens to one participant's microphone (rtc-node `AudioStream` at 16 kHz mono,
 * through the VAD, the STT and the user-turn machine: a committed turn is answered), and answers
 * text input (data on 'user_input', chat on 'lk.chat') that passes the input policy, as LiveKit does:
 * interrupt, then reply. A track unpublished and published again is followed.
 *
 * It ends when that participant leaves, when the room disconnects, or on `close()`: the session is
 * closed, the microphone stream cancelled, the agent's track unpublished (when still connected) and
 * closed, and every room listener removed; `closed` resolves with the reason. It never disconnects
 * the room: that is the caller's (`ctx.shutdown()` in an `@livekit/agents` job).
 *
 * Throws {@link InvalidArgumentError} for bad options and {@link RoomAgentError} when the room is not
 * connected or the track cannot be published (nothing is left behind).
 *
 * @example
 * await room.connect(url, token);
 * const agent = await runInRoom(room, { llm, tts, instructions: 'Be brief.', voice: { stt }, inputPolicy: { allowedIdentities: ['alice'] } });
 * const { reason } = await agent.closed; // 'participant_disconnected' when alice leaves
 */
export async function runInRoom(room: AgentRoom, o: RoomAgentOptions): Promise<RoomAgent> {
  if (!room || typeof room.on !== 'function' || typeof room.off !== 'function' || !(room.remoteParticipants instanceof Map))
    throw new InvalidArgumentError('runInRoom: room must be an rtc-node Room (or have its on/off, remoteParticipants and localParticipant)');
  if (!o || typeof o !== 'object') throw new InvalidArgumentError('runInRoom: options are required ({ llm, tts, ... })');
  if (!o.tts || typeof o.tts.synthesize !== 'function') throw new InvalidArgumentError('runInRoom: options.tts is required: the agent speaks in the room');
  if (o.participantIdentity !== undefined && (typeof o.participantIdentity !== 'string' || o.participantIdentity === ''))
    throw new InvalidArgumentError(`runInRoom: participantIdentity must be a non-empty string, got ${JSON.stringify(o.participantIdentity)}`);
  const { participantIdentity, voice: voiceOptions, inputPolicy, onRefused, onError: onErrorOption, onEvent, trackName, queueSizeMs, ...sessionOptions } = o;
  const policy = createRoomInputPolicy(inputPolicy ?? {});
  const local = room.localParticipant;
  if (!room.isConnected || !local) throw new RoomAgentError('runInRoom: the room is not connected; await room.connect() (or ctx.connect() in a job) first');
  const report = onErrorOption ?? ((e: unknown) => console.error('[speechcharts] room agent:', e));
  const tell = (ev: RoomAgentEvent) => {
    try {
      onEvent?.(ev);
    } catch (e) {
      report(e);
    }
  };
  const clock = sessionOptions.clock ?? realClock;

  const audioOutput = new RtcAudioOutput({ sampleRate: o.tts.sampleRate, channels: o.tts.numChannels, ...(queueSizeMs !== undefined ? { queueSizeMs } : {}) });
  const mic = new MicrophoneFeed({ clock, onError: report });
  // Bad session or voice options throw here, before the room is touched; what was made is released.
  let session: AgentSession | undefined;
  let voice: VoiceInput;
  try {
    session = new AgentSession({ ...sessionOptions, tts: o.tts, audioOutput, clock });
    voice = attachVoiceInput(session, { ...voiceOptions, clock, source: mic, onError: voiceOptions?.onError ?? report });
  } catch (e) {
    mic.close();
    await session?.close().catch(report);
    await audioOutput.close().catch(report);
    throw e;
  }
  const track = LocalAudioTrack.createAudioTrack(trackName ?? 'agent-voice', audioOutput.source);
  let publicationSid: string | undefined;
  let ending: Promise<RoomAgentEnd> | undefined;

  // Text input, as LiveKit's default text input: interrupt (unless the message says not to), then reply.
  const onUserInput = (u: UserInput) => {
    if (ending) return;
    if (u.interrupt ?? true) {
      session.interrupt({ force: u.force ?? false }).catch((e: unknown) => {
        // An uninterruptible speech plays on and the reply queues after it: not a failure.
        if (!(e instanceof InterruptionRefusedError)) report(e);
      });
    }
    session.generateReply({ userInput: u.text });
  };
  const detachInput = attachRoomInput(room, { policy, onUserInput, onError: report, ...(onRefused ? { onRefused } : {}) });

  let served: AgentRoomParticipant | undefined;
  let micSid: string | undefined;
  let micOpen = false;
  const isMicrophone = (pub: AgentRoomPublication) =>
    pub.kind === TrackKind.KIND_AUDIO && (pub.source === undefined || pub.source === TrackSource.SOURCE_MICROPHONE || pub.source === TrackSource.SOURCE_UNKNOWN);
  // As LiveKit's RoomIO: a named identity, else the first user-like participant that does not speak for this agent.
  const eligible = (p: AgentRoomParticipant) =>
    participantIdentity !== undefined
      ? p.identity === participantIdentity
      : (p.kind === undefined || SERVED_KINDS.includes(p.kind)) && (local.identity === undefined || p.attributes?.[PUBLISH_ON_BEHALF] !== local.identity);
  const openMicrophone = (t: Track, pub: AgentRoomPublication) => {
    if (micOpen && micSid === pub.sid) return;
    // Asked for at the VAD's rate: rtc-node resamples natively, the voice input has nothing to do.
    mic.attach(new AudioStream(t, { sampleRate: VAD_SAMPLE_RATE, numChannels: 1 }));
    micSid = pub.sid;
    micOpen = true;
    tell({ type: 'microphoneOpened', identity: served!.identity, trackSid: pub.sid });
  };
  const subscribe = (pub: AgentRoomPublication) => {
    if (!isMicrophone(pub)) return;
    if (pub.track) openMicrophone(pub.track, pub);
    // A room joined without auto-subscribe only gets the track when asked for it.
    else pub.setSubscribed?.(true);
  };
  const link = (p: AgentRoomParticipant) => {
    served = p;
    tell({ type: 'participantLinked', identity: p.identity });
    for (const pub of p.trackPublications.values()) subscribe(pub);
  };

  const listeners: { [E in keyof AgentRoomEvents]?: AgentRoomEvents[E] } = {
    participantConnected: (p) => {
      if (!served && !ending && eligible(p)) link(p);
    },
    participantDisconnected: (p) => {
      if (served && p.identity === served.identity) void end('participant_disconnected');
    },
    trackPublished: (pub, p) => {
      if (served && p.identity === served.identity && !ending) subscribe(pub);
    },
    trackSubscribed: (t, pub, p) => {
      if (served && p.identity === served.identity && !ending && isMicrophone(pub)) openMicrophone(t, pub);
    },
    trackUnsubscribed: (_t, pub, p) => {
      if (!served || p.identity !== served.identity || !micOpen || pub.sid !== micSid) return;
      mic.detach();
      micOpen = false;
      tell({ type: 'microphoneClosed', identity: served.identity, trackSid: pub.sid });
    },
    disconnected: () => void end('room_disconnected'),
  };
  // A throwing listener must not escape into rtc-node's event loop.
  const guard =
    <A extends unknown[]>(fn: (...a: A) => void) =>
    (...a: A) => {
      try {
        fn(...a);
      } catch (e) {
        report(e);
      }
    };
  const attached: [keyof AgentRoomEvents, (...a: never[]) => void][] = [];
  for (const [event, fn] of Object.entries(listeners) as [keyof AgentRoomEvents, (...a: never[]) => void][]) {
    const g = guard(fn);
    attached.push([event, g]);
    (room.on as (e: string, l: (...a: never[]) => void) => unknown)(event, g);
  }

  const handle = (): RoomAgent => ({
    session,
    voice,
    track,
    get participant() {
      return served?.identity;
    },
    closed,
    close: () => end('closed'),
  });
  let resolveClosed!: (end: RoomAgentEnd) => void;
  const closed = new Promise<RoomAgentEnd>((r) => (resolveClosed = r));
  const end = (reason: RoomAgentEndReason): Promise<RoomAgentEnd> => {
    ending ??= (async () => {
      // Each step runs even when the one before failed: a failure is reported, never a reason to leak the rest.
      const step = async (what: string, fn: () => unknown) => {
        try {
          await fn();
        } catch (e) {
          report(new RoomAgentError(`room agent: ${what} failed while ending: ${describe(e)}`, { cause: e }));
        }
      };
      await step('leaving the room events', () => {
        for (const [event, g] of attached) (room.off as (e: string, l: (...a: never[]) => void) => unknown)(event, g);
        detachInput();
      });
      await step('closing the voice input', () => {
        voice.close();
        mic.close();
      });
      await step('closing the session', () => session.close());
      await step('waiting for the voice input', () => voice.done);
      // Unpublishing needs the connection; after a room disconnect the track went with it.
      if (reason !== 'room_disconnected' && room.isConnected && publicationSid) await step('unpublishing the agent voice', () => local.unpublishTrack(publicationSid!));
      await step('closing the agent voice track', () => track.close(false));
      await step('closing the audio output', () => audioOutput.close());
      const result: RoomAgentEnd = { reason, participant: served?.identity };
      tell({ type: 'closed', ...result });
      resolveClosed(result);
      return result;
    })();
    return ending;
  };

  // Input is taken from here on (chat sent while the track is published is queued until start);
  // listening first means nothing that happens while publishing is missed.
  try {
    publicationSid = (await local.publishTrack(track, new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }))).sid;
  } catch (e) {
    await end('closed');
    throw new RoomAgentError(`runInRoom: publishing the agent's voice failed: ${describe(e)}`, { cause: e });
  }
  if (ending) {
    // The room went (or a participant came and went) while the track was being published: it ended
    // without knowing the publication, so it is taken down here when the connection is still up.
    await ending;
    if (room.isConnected && publicationSid) await local.unpublishTrack(publicationSid).catch(report);
    return handle();
  }
  await session.start();
  if (!room.isConnected) void end('room_disconnected');
  else {
    const first = participantIdentity !== undefined ? room.remoteParticipants.get(participantIdentity) : [...room.remoteParticipants.values()].find(eligible);
    // Someone may have joined (and been linked) while the track was being published.
    if (first && !served) guard(link)(first);
  }

  return handle();
}
