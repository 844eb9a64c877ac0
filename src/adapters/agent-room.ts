import type { DisconnectReason, LocalAudioTrack, ParticipantKind, Room, Track, TrackKind, TrackPublishOptions, TrackSource } from '@livekit/rtc-node';
import type { ChatStreamReader } from './room-input-handler.js';

/** A track publication as the room agent reads it (rtc-node's `RemoteTrackPublication` is one). */
export interface AgentRoomPublication {
  readonly sid: string | undefined;
  readonly kind: TrackKind | undefined;
  readonly source: TrackSource | undefined;
  /** Set once subscribed. */
  readonly track?: Track | undefined;
  /** Asks the server for the track (rooms joined without auto-subscribe need it). */
  setSubscribed?(subscribed: boolean): void;
}

/** A participant as the room agent reads it (rtc-node's `RemoteParticipant` is one). */
export interface AgentRoomParticipant {
  readonly identity: string;
  /** By default only standard, SIP and connector participants are served (LiveKit's default kinds). */
  readonly kind?: ParticipantKind;
  /** `lk.publish_on_behalf` naming the agent marks a participant that speaks for it (an avatar): never served by default. */
  readonly attributes?: Readonly<Record<string, string>>;
  readonly trackPublications: ReadonlyMap<string, AgentRoomPublication>;
}

/** The events of rtc-node's `Room` the room agent listens to, with the parts of their arguments it reads. */
export interface AgentRoomEvents {
  participantConnected: (participant: AgentRoomParticipant) => void;
  participantDisconnected: (participant: AgentRoomParticipant) => void;
  trackPublished: (publication: AgentRoomPublication, participant: AgentRoomParticipant) => void;
  trackSubscribed: (track: Track, publication: AgentRoomPublication, participant: AgentRoomParticipant) => void;
  trackUnsubscribed: (track: Track, publication: AgentRoomPublication, participant: AgentRoomParticipant) => void;
  disconnected: (reason: DisconnectReason) => void;
  dataReceived: (payload: Uint8Array, participant?: { identity: string }, kind?: unknown, topic?: string) => void;
}

/** The agent's own participant: it publishes the agent's voice. */
export interface AgentRoomLocalParticipant {
  readonly identity?: string;
  publishTrack(track: LocalAudioTrack, options: TrackPublishOptions): Promise<{ readonly sid: string | undefined }>;
  unpublishTrack(trackSid: string, stopOnUnpublish?: boolean): Promise<void>;
}

/**
 * The part of rtc-node's `Room` that `runInRoom` uses: a connected `Room` (yours, or an
 * `@livekit/agents` job's `ctx.room`) is one; tests pass an in-process fake.
 */
export interface AgentRoom {
  readonly isConnected: boolean;
  readonly remoteParticipants: ReadonlyMap<string, AgentRoomParticipant>;
  /** Set once connected. */
  readonly localParticipant?: AgentRoomLocalParticipant | undefined;
  // One overload per event (a generic signature over these events would not accept Room's own generic `on`).
  on(event: 'participantConnected', listener: AgentRoomEvents['participantConnected']): unknown;
  on(event: 'participantDisconnected', listener: AgentRoomEvents['participantDisconnected']): unknown;
  on(event: 'trackPublished', listener: AgentRoomEvents['trackPublished']): unknown;
  on(event: 'trackSubscribed', listener: AgentRoomEvents['trackSubscribed']): unknown;
  on(event: 'trackUnsubscribed', listener: AgentRoomEvents['trackUnsubscribed']): unknown;
  on(event: 'disconnected', listener: AgentRoomEvents['disconnected']): unknown;
  on(event: 'dataReceived', listener: AgentRoomEvents['dataReceived']): unknown;
  off(event: 'participantConnected', listener: AgentRoomEvents['participantConnected']): unknown;
  off(event: 'participantDisconnected', listener: AgentRoomEvents['participantDisconnected']): unknown;
  off(event: 'trackPublished', listener: AgentRoomEvents['trackPublished']): unknown;
  off(event: 'trackSubscribed', listener: AgentRoomEvents['trackSubscribed']): unknown;
  off(event: 'trackUnsubscribed', listener: AgentRoomEvents['trackUnsubscribed']): unknown;
  off(event: 'disconnected', listener: AgentRoomEvents['disconnected']): unknown;
  off(event: 'dataReceived', listener: AgentRoomEvents['dataReceived']): unknown;
  registerTextStreamHandler(topic: string, handler: (reader: ChatStreamReader, participant: { identity: string }) => void): void;
  unregisterTextStreamHandler(topic: string): void;
}

// Compile-time proof that rtc-node's Room fits: if rtc-node changes a signature used here, tsc says so.
const roomFits = (room: Room): AgentRoom => room;
void roomFits;
