import * as deepgram from '@livekit/agents-plugin-deepgram';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { disposeRtc } from '../src/adapters/rtc-audio-output.js';
import { fromLiveKitSTT } from '../src/livekit/index.js';
import { VirtualClock } from '../src/testing/index.js';
import type { SpeechEvent } from '../src/voice/stt.js';
import { DeepgramStandIn } from './support/deepgram-stand-in.js';

// The real Deepgram plugin (@livekit/agents-plugin-deepgram) against a local stand-in of its live
// WebSocket API: the audio goes in as frames, Deepgram's messages come back as speechcharts events.
let server: DeepgramStandIn;
beforeEach(async () => {
  server = await new DeepgramStandIn().start();
});
afterEach(() => server.stop());
afterAll(() => disposeRtc());

function nextEvents(events: SpeechEvent[], n: number, subscribe: (l: (ev: SpeechEvent) => void) => () => void): Promise<void> {
  return new Promise((resolve) => {
    const off = subscribe(() => {
      if (events.length >= n) {
        off();
        resolve();
      }
    });
  });
}

describe('fromLiveKitSTT (Deepgram)', () => {
  it('streams the pushed audio and reports start, interim, final and end of speech with text, language and confidence', async () => {
    const clock = new VirtualClock();
    await clock.advance(5000); // the stream starts at clock 5 s: transcript times are on the clock
    const stt = fromLiveKitSTT(new deepgram.STT({ apiKey: 'test', baseUrl: server.baseUrl, language: 'en-US' }), { clock });
    const events: SpeechEvent[] = [];
    const off = stt.onEvent((ev) => events.push(ev));
    const tone = Int16Array.from({ length: 16000 }, (_, i) => Math.round(6000 * Math.sin((2 * Math.PI * 180 * i) / 16000)));
    stt.pushAudio!(tone, clock.now());
    const c = await server.nextConnection(0);
    expect(c.authorization).toBe('Token test');
    expect(Object.fromEntries(['encoding', 'sample_rate', 'channels', 'interim_results', 'vad_events', 'language'].map((k) => [k, c.url.searchParams.get(k)]))).toEqual({
      encoding: 'linear16',
      sample_rate: '16000',
      channels: '1',
      interim_results: 'true',
      vad_events: 'true',
      language: 'en-US',
    });
    await c.audioReceived(16000); // half a second of it, at least

    const got = nextEvents(events, 4, (l) => stt.onEvent(l));
    c.speechStarted(0.2);
    c.results({ transcript: 'Book a', start: 0.2, duration: 0.4, isFinal: false, speechFinal: false, confidence: 0.71 });
    c.results({ transcript: 'Book a table for two.', start: 0.2, duration: 0.8, isFinal: true, speechFinal: true, confidence: 0.93 });
    await got;
    expect(events.map((e) => e.type)).toEqual(['start_of_speech', 'interim_transcript', 'final_transcript', 'end_of_speech']);
    const [, interim, final] = events;
    expect(interim!.alternatives[0]).toMatchObject({ text: 'Book a', language: 'en-US', confidence: 0.71 });
    expect(final!.alternatives[0]).toMatchObject({ text: 'Book a table for two.', language: 'en-US', confidence: 0.93 });
    // Deepgram's word times (s from the stream start) on the clock; the plugin may add the ms its connect took.
    expect(Math.abs(final!.alternatives[0]!.startMs - 5200)).toBeLessThan(50);
    expect(Math.abs(final!.alternatives[0]!.endMs - 6000)).toBeLessThan(50);
    expect(events.every((e) => e.atMs === 5000)).toBe(true);

    // Deepgram's UtteranceEnd also ends a speech (when speech_final never came).
    const more = nextEvents(events, 7, (l) => stt.onEvent(l));
    c.speechStarted(1.5);
    c.results({ transcript: 'Thanks', start: 1.5, duration: 0.3, isFinal: true, speechFinal: false, confidence: 0.88 });
    c.utteranceEnd(1.8);
    await more;
    expect(events.slice(4).map((e) => e.type)).toEqual(['start_of_speech', 'final_transcript', 'end_of_speech']);
    off();
    stt.close();
  });

  it('close() closes the WebSocket at the server', async () => {
    const stt = fromLiveKitSTT(new deepgram.STT({ apiKey: 'test', baseUrl: server.baseUrl }));
    stt.pushAudio!(new Int16Array(3200).fill(3000), 0);
    const c = await server.nextConnection(0);
    await c.audioReceived(1);
    expect(c.closedAt).toBeUndefined();
    stt.close();
    await c.closed;
    expect(c.controls).toContain('CloseStream');
    stt.pushAudio!(new Int16Array(320), 200); // ignored once closed
  });
});
