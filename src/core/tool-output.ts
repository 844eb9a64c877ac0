/**
 * The error output recorded for a tool run aborted by its speech's end (what the LLM reads).
 * @example abortedToolOutput('interrupt') // 'error: the tool was aborted because the user interrupted the speech'
 */
export function abortedToolOutput(reason: 'interrupt' | 'close' | 'speechFailed'): string {
  if (reason === 'close') return 'error: the session closed before the tool finished';
  if (reason === 'speechFailed') return 'error: the reply failed before the tool finished';
  return 'error: the tool was aborted because the user interrupted the speech';
}

/** The output recorded for a tool whose handoff was not applied because its speech was interrupted (LiveKit's wording). */
export const HANDOFF_INTERRUPTED_OUTPUT = 'error: the agent handoff was interrupted and did not happen';
