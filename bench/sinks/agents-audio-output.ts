import type { AudioOutput } from '../../src/index.js';

/** The part of agents-js's `voice.AudioOutput` (abstract class, @livekit/agents 1.9) the adapter uses. */
interface AgentsAudioOutputBase {
  captureFrame(frame: unknown): Promise<void>;
  flush(): void;
  clearBuffer(): void;
  onPlaybackStarted(createdAt: number): void;
  onPlaybackFinished(ev: { playbackPosition: number; interrupted: boolean }): void;
}
type AgentsAudioOutputClass = abstract new (sampleRate?: number) => AgentsAudioOutputBase;

/**
 * Puts a speechcharts `AudioOutput` device behind agents-js's `voice.AudioOutput`, the way agents-js
 * expects a sink to behave: `captureFrame` counts segments (super) and reports `onPlaybackStarted` at a
 * segment's first frame; `flush()` / `clearBuffer()` end the segment and `onPlaybackFinished` reports
 * it (once) when the device says it ended. `Base` is passed in because @livekit/agents is installed in
 * bench/anchors only.
 *
 * @example
 * import { voice } from '@livekit/agents';
 * session.output.audio = agentsAudioOutput(voice.AudioOutput, new TimerPacedSink(), 24000);
 */
export function agentsAudioOutput<B extends AgentsAudioOutputClass>(Base: B, device: AudioOutput, sampleRate: number): InstanceType<B> {
  const Concrete = Base as unknown as new (sampleRate?: number) => AgentsAudioOutputBase;
  class DeviceOutput extends Concrete {
    #open = false;
    constructor() {
      super(sampleRate);
    }
    override async captureFrame(frame: unknown): Promise<void> {
      await super.captureFrame(frame);
      if (!this.#open) {
        this.#open = true;
        this.onPlaybackStarted(Date.now());
      }
      await device.captureFrame(frame as Parameters<AudioOutput['captureFrame']>[0]);
    }
    override flush(): void {
      super.flush();
      if (!this.#open) return;
      this.#open = false;
      const ended = device.waitForPlayout();
      device.flush();
      void ended.then((r) => this.onPlaybackFinished(r));
    }
    override clearBuffer(): void {
      if (this.#open) {
        // An open segment: clearing ends it here. A flushed one still playing reports through flush's promise.
        this.#open = false;
        const ended = device.waitForPlayout();
        device.clearBuffer();
        void ended.then((r) => this.onPlaybackFinished(r));
        return;
      }
      device.clearBuffer();
    }
  }
  return new DeviceOutput() as InstanceType<B>;
}
