import * as openai from '@livekit/agents-plugin-openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fromLiveKitTTS, LiveKitPluginError } from '../src/livekit/index.js';
import { OpenAIStandIn } from './support/openai-stand-in.js';

// `@livekit/agents-plugin-openai` 1.9.0's TTS, aborted before its response headers, rejects a promise
// nobody holds (upstream bug); the bridge must end such a request quietly and still fail the speech
// on a genuine error. Any unhandled rejection during a test is collected and must be none.
let server: OpenAIStandIn;
let rejections: unknown[];
const onRejection = (reason: unknown) => void rejections.push(reason);
beforeEach(async () => {
  server = await new OpenAIStandIn().start();
  rejections = [];
  process.on('unhandledRejection', onRejection);
});
afterEach(async () => {
  process.off('unhandledRejection', onRejection);
  await server.stop();
});

async function* oneSentence() {
  yield 'A sentence the server never answers.';
}

/**
 * Resolves once the plugin's request task has settled: its ChunkedStream emits `metrics_collected`
 * after its task ends; one more event-loop turn lets Node report a rejection left unhandled there.
 */
function requestSettled(plugin: openai.TTS): Promise<void> {
  return new Promise<void>((resolve) => plugin.once('metrics_collected', () => resolve())).then(() => new Promise<void>((resolve) => setImmediate(resolve)));
}

describe('fromLiveKitTTS: openai.TTS aborted before its response headers', () => {
  it('ends the speech quietly, closes the request at the server, and leaves no unhandled rejection', async () => {
    server.speechHoldHeaders = true;
    const plugin = new openai.TTS({ baseURL: server.baseURL, apiKey: 'test' });
    const pluginErrors: unknown[] = [];
    plugin.on('error', (e) => pluginErrors.push(e.error));
    const settled = requestSettled(plugin);
    const tts = fromLiveKitTTS(plugin);
    const guarded = plugin.synthesize;
    fromLiveKitTTS(plugin); // a second bridge on the same plugin does not wrap it again
    expect(plugin.synthesize).toBe(guarded);
    const abort = new AbortController();
    const next = tts.synthesize(oneSentence(), { signal: abort.signal })[Symbol.asyncIterator]().next();
    const req = await server.nextRequest('/v1/audio/speech', 0);
    abort.abort();
    expect((await server.closedOf(req)).completed).toBe(false);
    expect(await next).toEqual({ done: true, value: undefined });
    await settled;
    expect(rejections).toEqual([]);
    // Our own abort is a normal end, not a plugin failure.
    expect(pluginErrors).toEqual([]);
  });

  it('a genuine server error (HTTP 500, no abort) still fails the speech, without an unhandled rejection', async () => {
    server.speechStatus = 500;
    const plugin = new openai.TTS({ baseURL: server.baseURL, apiKey: 'test' });
    const settled = requestSettled(plugin);
    const tts = fromLiveKitTTS(plugin);
    const frames: unknown[] = [];
    const speech = (async () => {
      for await (const f of tts.synthesize(oneSentence(), { signal: new AbortController().signal })) frames.push(f);
    })();
    const failure = await speech.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(failure).toBeInstanceOf(LiveKitPluginError);
    expect((failure as LiveKitPluginError).plugin).toBe('openai.TTS');
    expect(frames).toEqual([]);
    await settled;
    expect(rejections).toEqual([]);
  });
});
