import { initializeLogger, loggerOptions } from '@livekit/agents';

/**
 * LiveKit plugins log through a process-wide logger that its worker CLI sets up; outside a worker,
 * creating a stream throws "logger not initialized". Set it up (level warn) unless the app did.
 * @example ensureLiveKitLogger(); const stream = llm.chat({ chatCtx });
 */
export function ensureLiveKitLogger(): void {
  if (loggerOptions() === undefined) initializeLogger({ pretty: false, level: 'warn' });
}
