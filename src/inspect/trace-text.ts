/**
 * What a trace holds of the conversation: which fields are conversation text, and the options
 * that redact it or leave it out.
 */

/**
 * Kinds of conversation text a trace can hold: what the user said or typed (`userInput`),
 * speech-to-text results the barge-in policy saw (`transcript`), what the listener heard of the
 * agent (`assistantText`), system messages (`instructions`), a tool call's arguments and output,
 * and error messages (tool, LLM and TTS errors often quote what was said).
 */
export type TraceTextKind = 'userInput' | 'transcript' | 'assistantText' | 'instructions' | 'toolArguments' | 'toolOutput' | 'error';

/** Where a piece of conversation text is about to be recorded. */
export interface TraceTextField {
  kind: TraceTextKind;
  /** The actor whose event, action or snapshot holds it; null for a conversation item (the session's history). */
  actor: string | null;
}

export interface TraceTextOptions {
  /**
   * Record conversation text (default true). With false, every field of the kinds in
   * {@link TraceTextKind} is written as {@link OMITTED_TEXT}: the trace keeps who spoke, which
   * tool ran and when, and none of the words, arguments, outputs or error messages.
   */
  conversationText?: boolean;
  /**
   * Rewrites each piece of conversation text before it is recorded, whole (before it is cut to
   * `maxStringLength`). Not called when `conversationText` is false. If it throws, the text is
   * recorded as {@link REDACTION_FAILED_TEXT} (and the error reported): a failing redactor never lets the original through.
   * @example redact: (text) => text.replace(/\b\d{4}(?:[ -]?\d{4}){3}\b/g, '[card]')
   */
  redact?: (text: string, field: TraceTextField) => string;
}

/** What an omitted piece of conversation text is recorded as. */
export const OMITTED_TEXT = '[omitted]';

/** What a piece of text is recorded as when `redact` threw on it. */
export const REDACTION_FAILED_TEXT = '[redaction failed]';

/**
 * Fields of the speechcharts machines' events that carry conversation text, by event type. Keyed by
 * type alone: another machine's event of the same name is redacted too (over-redacting is the safe side).
 */
export const EVENT_TEXT_FIELDS: Readonly<Record<string, Readonly<Record<string, TraceTextKind>>>> = table({
  INTERIM_TRANSCRIPT: table({ text: 'transcript' }),
  FINAL_TRANSCRIPT: table({ text: 'transcript' }),
  RESULT: table({ output: 'toolOutput' }),
  ERROR: table({ output: 'toolOutput' }),
  FAIL: table({ error: 'error' }),
});

/** Fields of action params that carry conversation text, by action type. */
export const ACTION_TEXT_FIELDS: Readonly<Record<string, Readonly<Record<string, TraceTextKind>>>> = table({
  commitUserTurn: table({ text: 'transcript' }),
  dropUserTurn: table({ text: 'transcript' }),
});

/** Context fields that carry conversation text (the barge-in policy's transcripts, a failed speech's error). */
export const CONTEXT_TEXT_FIELDS: Readonly<Record<string, TraceTextKind>> = table({
  finalText: 'transcript',
  interimText: 'transcript',
  error: 'error',
});

/** A lookup table without a prototype: an event named `constructor` finds nothing. */
function table<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

/**
 * The function that turns a piece of conversation text into what is recorded, or undefined when
 * text is recorded as it is (no redactor, text kept): the recorder then skips the work.
 * @example const filter = traceTextFilter({ conversationText: false }); filter?.('hi', { kind: 'userInput', actor: null }) // '[omitted]'
 */
export function traceTextFilter(o: TraceTextOptions, onError: (e: unknown) => void = () => {}): ((text: string, field: TraceTextField) => string) | undefined {
  if (o.conversationText === false) return () => OMITTED_TEXT;
  const redact = o.redact;
  if (!redact) return undefined;
  return (text, field) => {
    try {
      const out = redact(text, field);
      if (typeof out === 'string') return out;
      onError(new TypeError(`trace redact returned ${typeof out} for a ${field.kind} field, not a string`));
    } catch (e) {
      onError(e);
    }
    return REDACTION_FAILED_TEXT; // fail closed: the original text is never recorded
  };
}
