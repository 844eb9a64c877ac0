import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests (ours and outside suites) may import the package by name; serve the sources, not dist/.
    alias: [
      { find: /^speechcharts\/machines$/, replacement: here('./machines/index.ts') },
      { find: /^speechcharts\/testing$/, replacement: here('./src/testing/index.ts') },
      { find: /^speechcharts\/voice$/, replacement: here('./src/voice/index.ts') },
      { find: /^speechcharts\/adapters$/, replacement: here('./src/adapters/index.ts') },
      { find: /^speechcharts\/inspect$/, replacement: here('./src/inspect/index.ts') },
      { find: /^speechcharts\/livekit$/, replacement: here('./src/livekit/index.ts') },
      { find: /^speechcharts$/, replacement: here('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // An unhandled rejection anywhere fails the run (vitest's default; kept explicit on purpose).
    dangerouslyIgnoreUnhandledErrors: false,
    testTimeout: 20_000,
    pool: 'forks',
  },
});
