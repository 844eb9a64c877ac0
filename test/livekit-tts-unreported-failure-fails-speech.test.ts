import { tts as lk } from '@livekit/agents';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { fromLiveKitTTS, LiveKitPluginError } from '../src/livekit/index.js';

// agents' ChunkedStream (1.9.0) reports each failure of its task as the plugin's `error` before it
// rethrows it into a promise nobody holds; the bridge settles those. Should a task ever reject with a
// failure it did not report (none of 1.9.0's paths do, as read), the bridge must report it itself:
// the speech fails with it, and no unhandled rejection is left. The stream here stands in for such a
// path: its task rejects without emitting.
let rejections: unknown[];
const onRejection = (reason: unknown) => void rejections.push(reason);
beforeEach(() => {
  rejections = [];
  process.on('unhandledRejection', onRejection);
});
afterEach(() => {
  process.off('unhandledRejection', onRejection);
});

class UnreportedFailureStream extends lk.ChunkedStream {
  label = 'test.UnreportedFailureStream';
  constructor(...args: ConstructorParameters<typeof lk.ChunkedStream>) {
    super(...args);
    // Replaces agents' (private) task, which the base constructor starts a microtask later.
    Object.assign(this, { mainTask: () => Promise.reject(new Error('unreported failure')) });
  }
  protected async run(): Promise<void> {}
}

class NonStreamingTTS extends lk.TTS {
  label = 'test.NonStreamingTTS';
  constructor() {
    super(24000, 1, { streaming: false });
  }
  synthesize(text: string, connOptions?: Parameters<lk.TTS['synthesize']>[1], abortSignal?: AbortSignal): lk.ChunkedStream {
    return new UnreportedFailureStream(text, this, connOptions, abortSignal);
  }
  stream(): lk.SynthesizeStream {
    throw new Error('not streaming');
  }
}

it("a ChunkedStream task failure not reported as the plugin's error still fails the speech, without an unhandled rejection", async () => {
  const plugin = new NonStreamingTTS();
  const tts = fromLiveKitTTS(plugin);
  const speech = (async () => {
    for await (const f of tts.synthesize((async function* () { yield 'Hello there.'; })(), { signal: new AbortController().signal })) void f;
  })();
  const failure = await speech.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(failure).toBeInstanceOf(LiveKitPluginError);
  expect((failure as LiveKitPluginError).plugin).toBe('test.NonStreamingTTS');
  expect(((failure as LiveKitPluginError).cause as Error).message).toBe('unreported failure');
  // The failure came from the task's rejection, so the task has settled; one more turn lets Node
  // report a rejection left unhandled there.
  await new Promise<void>((resolve) => setImmediate(resolve));
  expect(rejections).toEqual([]);
});
