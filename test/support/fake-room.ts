import { EventEmitter } from 'node:events';
import {
  AudioFrame,
  AudioSource,
  AudioStream,
  DisconnectReason,
  LocalAudioTrack,
  ParticipantKind,
  RoomEvent,
  TrackKind,
  TrackSource,
  type LocalTrack,
  type Track,
  type TrackPublishOptions,
} from '@livekit/rtc-node';
import type { AgentRoom, AgentRoomParticipant, AgentRoomPublication } from '../../src/adapters/agent-room.js';
import type { ChatStreamReader } from '../../src/adapters/room-input-handler.js';
import { CHAT_TOPIC, USER_INPUT_TOPIC } from '../../src/adapters/user-input.js';

// An in-process LiveKit room: it emits rtc-node's own events (RoomEvent names, argument order) and
// hands out real rtc-node objects where they can be made offline. A participant's microphone is a
// real LocalAudioTrack over a real AudioSource: what the test pushes into the source reaches the
// agent's AudioStream through rtc-node, resampled natively. Only the server is missing.

const MIC_RATE = 48000;
let sids = 0;

export class FakePublication implements AgentRoomPublication {
  readonly sid = `TR_fake_${++sids}`;
  readonly kind = TrackKind.KIND_AUDIO;
  readonly source = TrackSource.SOURCE_MICROPHONE;
  track: Track | undefined;
  /** setSubscribed calls, in order. */
  readonly subscribeRequests: boolean[] = [];
  onSetSubscribed: ((subscribed: boolean) => void) | undefined;
  setSubscribed(subscribed: boolean): void {
    this.subscribeRequests.push(subscribed);
    this.onSetSubscribed?.(subscribed);
  }
}

/** A remote participant whose microphone is real rtc-node audio. */
export class FakeParticipant implements AgentRoomParticipant {
  readonly trackPublications = new Map<string, FakePublication>();
  constructor(
    readonly identity: string,
    readonly kind: ParticipantKind = ParticipantKind.STANDARD,
    readonly attributes: Record<string, string> = {},
  ) {}
}

/** A microphone track of a fake participant: push PCM into it, in real time (the source paces). */
export class FakeMicrophone {
  readonly source = new AudioSource(MIC_RATE, 1, 200);
  readonly track = LocalAudioTrack.createAudioTrack('mic', this.source);
  readonly publication = new FakePublication();

  /** Plays mono 48 kHz samples into the track; resolves once the source has played them. */
  async play(samples: Int16Array): Promise<void> {
    const per = MIC_RATE / 100; // 10 ms frames
    for (let at = 0; at < samples.length; at += per) {
      const chunk = samples.slice(at, Math.min(samples.length, at + per));
      await this.source.captureFrame(new AudioFrame(chunk, MIC_RATE, 1, chunk.length));
    }
    await this.source.waitForPlayout();
  }

  async close(): Promise<void> {
    await this.track.close(false);
    await this.source.close();
  }
}

export class FakeChatReader implements ChatStreamReader {
  readonly info: { totalSize?: number } = {};
  closed = false;
  constructor(private readonly text: string) {}
  async *[Symbol.asyncIterator]() {
    try {
      yield this.text;
    } finally {
      this.closed = true;
    }
  }
  async close() {
    this.closed = true;
  }
}

/** The agent's published track, and a reader of what it carries. */
export interface PublishedTrack {
  track: LocalTrack;
  options: TrackPublishOptions;
  sid: string;
  unpublished: boolean;
}

export class FakeRoom extends EventEmitter implements AgentRoom {
  isConnected = true;
  readonly remoteParticipants = new Map<string, FakeParticipant>();
  readonly published: PublishedTrack[] = [];
  readonly textHandlers = new Map<string, (reader: ChatStreamReader, participant: { identity: string }) => void>();
  readonly microphones: FakeMicrophone[] = [];
  readonly #publishWaiters: ((p: PublishedTrack) => void)[] = [];
  /** Resolves with the agent's first published track (at once if there is one). */
  whenPublished(): Promise<PublishedTrack> {
    const first = this.published[0];
    return first ? Promise.resolve(first) : new Promise((r) => this.#publishWaiters.push(r));
  }
  readonly localParticipant = {
    identity: 'agent',
    publishTrack: async (track: LocalTrack, options: TrackPublishOptions) => {
      const p: PublishedTrack = { track, options, sid: `TR_agent_${++sids}`, unpublished: false };
      this.published.push(p);
      for (const w of this.#publishWaiters.splice(0)) w(p);
      return { sid: p.sid };
    },
    unpublishTrack: async (sid: string) => {
      const p = this.published.find((x) => x.sid === sid);
      if (!p) throw new Error(`no published track ${sid}`);
      p.unpublished = true;
    },
  };

  registerTextStreamHandler(topic: string, handler: (reader: ChatStreamReader, participant: { identity: string }) => void): void {
    // As rtc-node: a second handler for a topic is an error.
    if (this.textHandlers.has(topic)) throw new Error(`A text stream handler for topic "${topic}" has already been set.`);
    this.textHandlers.set(topic, handler);
    for (const w of this.#chatWaiters.splice(0)) if (topic === CHAT_TOPIC) w();
  }
  readonly #chatWaiters: (() => void)[] = [];
  /** Resolves once someone takes chat ('lk.chat'): chat sent before is dropped, as rtc-node drops a stream no handler takes. */
  whenChatHandled(): Promise<void> {
    return this.textHandlers.has(CHAT_TOPIC) ? Promise.resolve() : new Promise((r) => this.#chatWaiters.push(r));
  }
  unregisterTextStreamHandler(topic: string): void {
    this.textHandlers.delete(topic);
  }

  /** A participant joins (with no tracks yet). */
  join(identity: string, kind: ParticipantKind = ParticipantKind.STANDARD, attributes: Record<string, string> = {}): FakeParticipant {
    const p = new FakeParticipant(identity, kind, attributes);
    this.remoteParticipants.set(identity, p);
    this.emit(RoomEvent.ParticipantConnected, p);
    return p;
  }

  /** The participant publishes a microphone; the room is auto-subscribed, so it is subscribed at once. */
  publishMicrophone(p: FakeParticipant, o: { autoSubscribe?: boolean } = {}): FakeMicrophone {
    const mic = new FakeMicrophone();
    this.microphones.push(mic);
    p.trackPublications.set(mic.publication.sid, mic.publication);
    const subscribe = () => {
      mic.publication.track = mic.track;
      this.emit(RoomEvent.TrackSubscribed, mic.track, mic.publication, p);
    };
    mic.publication.onSetSubscribed = (s) => {
      if (s && !mic.publication.track) subscribe();
    };
    this.emit(RoomEvent.TrackPublished, mic.publication, p);
    if (o.autoSubscribe !== false) subscribe();
    return mic;
  }

  /**
   * The participant unpublishes it: unsubscribed, then unpublished (rtc-node's order). The track is
   * left open (`mic.close()` closes it), so a test can see who releases the streams on it.
   */
  unpublishMicrophone(p: FakeParticipant, mic: FakeMicrophone): void {
    mic.publication.track = undefined;
    this.emit(RoomEvent.TrackUnsubscribed, mic.track, mic.publication, p);
    p.trackPublications.delete(mic.publication.sid);
    this.emit(RoomEvent.TrackUnpublished, mic.publication, p);
  }

  leave(p: FakeParticipant): void {
    this.remoteParticipants.delete(p.identity);
    this.emit(RoomEvent.ParticipantDisconnected, p);
  }

  /** The connection ends (server closed the room, network lost, or kicked). */
  disconnect(reason: DisconnectReason = DisconnectReason.ROOM_DELETED): void {
    this.isConnected = false;
    this.emit(RoomEvent.Disconnected, reason);
  }

  /** Chat text on 'lk.chat', as the playground sends it. */
  chat(identity: string, text: string): FakeChatReader {
    const reader = new FakeChatReader(text);
    const h = this.textHandlers.get(CHAT_TOPIC);
    if (h) h(reader, { identity });
    return reader;
  }

  data(identity: string, payload: string): void {
    this.emit(RoomEvent.DataReceived, new TextEncoder().encode(payload), { identity }, 0, USER_INPUT_TOPIC);
  }

  /** Every listener of the events the agent uses (0 once it has left them all). */
  agentListenerCount(): number {
    return ['participantConnected', 'participantDisconnected', 'trackPublished', 'trackSubscribed', 'trackUnsubscribed', 'disconnected', 'dataReceived'].reduce((n, e) => n + this.listenerCount(e), 0);
  }

  async closeAll(): Promise<void> {
    for (const m of this.microphones) await m.close().catch(() => {});
  }
}

/**
 * Reads the agent's published track (a real AudioStream on it) and resolves once it carried
 * `minMs` of audible sound (frames louder than silence).
 */
export function heardOnTrack(track: Track, minMs = 200): { audible: Promise<number>; stop: () => void } {
  const stream = new AudioStream(track, { sampleRate: 16000, numChannels: 1 });
  const reader = stream.getReader();
  let stopped = false;
  const audible = (async () => {
    let ms = 0;
    while (!stopped) {
      const { done, value } = await reader.read();
      if (done) break;
      let peak = 0;
      for (let i = 0; i < value.samplesPerChannel; i++) peak = Math.max(peak, Math.abs(value.data[i]!));
      if (peak > 200) ms += (value.samplesPerChannel * 1000) / value.sampleRate;
      if (ms >= minMs) break;
    }
    await reader.cancel().catch(() => {});
    return ms;
  })();
  return {
    audible,
    stop: () => {
      stopped = true;
      void reader.cancel().catch(() => {});
    },
  };
}

/**
 * AudioStreams still attached to a track. rtc-node keeps this set privately (a stream registers on
 * open, unregisters on teardown); read here only to prove the agent released its stream.
 */
export function openStreams(track: Track): number {
  return (track as unknown as { audioStreams: Set<unknown> }).audioStreams.size;
}
