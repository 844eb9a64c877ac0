/**
 * The density bench's reference row: the rtc-node audio of a session with no engine behind it. Each
 * session only reads its microphone stream to the end (its output stays idle), so this row is what
 * the bench's own audio plumbing costs (feeding the user's voice through AudioSource → track →
 * AudioStream, 10 ms frames into JS), which the engines' rows include.
 */
import type { Engine, EngineSession, EngineSessionOptions } from './engine.js';

/** No engine: the microphone is drained, nothing answers. */
export const audioOnlyEngine: Engine = {
  name: 'rtc-audio-only',
  version: '',
  describe: 'nothing: the microphone stream is read and dropped (the bench\'s own rtc-node audio cost)',
  async prepare() {},
  async startSession(o: EngineSessionOptions): Promise<EngineSession> {
    const reader = o.mic.getReader();
    const drained = (async () => {
      while (!(await reader.read()).done);
    })().catch((e: unknown) => o.onError('mic', e));
    return {
      async close() {
        await reader.cancel();
        await drained;
      },
    };
  },
};
