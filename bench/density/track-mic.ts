/**
 * One session's microphone, on real rtc-node audio: the looped user speech is captured into an
 * `AudioSource` (which paces it in real time), published as a `LocalAudioTrack` and read back as an
 * `AudioStream` (48 kHz mono, 10 ms frames), exactly what an agent gets from a participant's track,
 * minus the network. Both engines get the same `frames` stream.
 *
 * Health figures, the same for both engines:
 * - `lateFrames`: frames the feeder captured when the source's queue had run dry, i.e. the process
 *   did not keep up and the track carried silence (a gap in the user's voice) in their place;
 * - `framesIn`: 10 ms frames the engine actually read from the stream;
 * - `speechEnds`: wall time (performance.now()) at which each sentence ended on the track.
 */
import { AudioFrame, AudioSource, AudioStream, LocalAudioTrack } from '@livekit/rtc-node';
import type { UserMic } from './user-mic.js';
import { framesOf, MIC_RATE, type UserSpeechLoop } from './user-speech-loop.js';

/** Audio the source buffers ahead (ms): small, as a live microphone. */
const QUEUE_MS = 100;

export class TrackMic implements UserMic {
  readonly source = new AudioSource(MIC_RATE, 1, QUEUE_MS);
  readonly track = LocalAudioTrack.createAudioTrack('mic', this.source);
  /** What the engine reads: the track's audio, counted. */
  readonly frames: ReadableStream<AudioFrame>;
  framesFed = 0;
  lateFrames = 0;
  framesIn = 0;
  /** An AudioStream delivers 10 ms frames. */
  readonly frameInMs = 10;
  readonly speechEnds: number[] = [];
  private stopped = false;
  private feeding: Promise<void> | undefined;
  private readonly stream: AudioStream;

  constructor(
    private readonly loop: UserSpeechLoop,
    private readonly o: { frameMs: number; phaseMs: number; onError: (e: unknown) => void },
  ) {
    if (o.frameMs !== 10 && o.frameMs !== 20) throw new RangeError(`TrackMic: frameMs must be 10 or 20, got ${o.frameMs}`);
    this.stream = new AudioStream(this.track, { sampleRate: MIC_RATE, numChannels: 1 });
    this.frames = this.stream.pipeThrough(
      new TransformStream<AudioFrame, AudioFrame>({
        transform: (f, c) => {
          this.framesIn++;
          c.enqueue(f);
        },
      }),
    );
  }

  /** Starts feeding the loop in real time: `phaseMs` of silence first, then speech, silence, speech... */
  start(): void {
    this.feeding ??= this.feed().catch((e: unknown) => {
      if (!this.stopped) this.o.onError(e);
    });
  }

  private async feed(): Promise<void> {
    const frames = framesOf(this.loop, this.o.frameMs);
    const speechFrames = Math.ceil(this.loop.speechMs / this.o.frameMs);
    const silence = new Int16Array((MIC_RATE * this.o.frameMs) / 1000);
    for (let left = Math.round(this.o.phaseMs / this.o.frameMs); left > 0 && !this.stopped; left--) await this.capture(silence);
    let k = 0;
    while (!this.stopped) {
      await this.capture(frames[k]!);
      // The sentence's last frame is on the track: it ends once the queue ahead of it has played.
      if (k === speechFrames - 1) this.speechEnds.push(performance.now() + this.source.queuedDuration);
      k = (k + 1) % frames.length;
    }
  }

  private async capture(data: Int16Array): Promise<void> {
    // An empty queue after the first frames: the feeder fell behind and the track sent silence instead.
    if (this.framesFed > 2 && this.source.queuedDuration === 0) this.lateFrames++;
    this.framesFed++;
    await this.source.captureFrame(new AudioFrame(data, MIC_RATE, 1, data.length));
  }

  /** Stops feeding and closes the stream, the track and the source. */
  async close(): Promise<void> {
    this.stopped = true;
    this.source.clearQueue();
    await this.feeding;
    // Closing the track ends its streams: the engine's reader sees the end of the audio.
    await this.track.close(false);
    await this.source.close();
  }
}
