/**
 * Longest text held back while waiting for a sentence end; past it the text is cut at a space
 * so speech can start on run-on text.
 */
const MAX_SENTENCE_CHARS = 300;

// A sentence ends at . ! ? or … (with closing quotes/brackets) followed by whitespace, or at a newline.
// Whitespace is required after the mark so "3.14" and "e.g.x" do not split mid-token.
const SENTENCE_END = /[.!?…]+["'”’)\]]*(?=\s)|\n/;

/**
 * Regroups streamed text into sentences as soon as each one is complete, then the remainder
 * when the stream ends. The split depends only on the text, not on how it was chunked.
 * @example for await (const s of splitSentences(textStream)) speak(s);
 */
export async function* splitSentences(text: AsyncIterable<string>): AsyncGenerator<string> {
  let buf = '';
  for await (const chunk of text) {
    buf += chunk;
    let cut: number | undefined;
    while ((cut = nextCut(buf)) !== undefined) {
      const sentence = buf.slice(0, cut).trim();
      buf = buf.slice(cut);
      if (sentence) yield sentence;
    }
  }
  const rest = buf.trim();
  if (rest) yield rest;
}

function nextCut(buf: string): number | undefined {
  const m = SENTENCE_END.exec(buf);
  if (m && m.index + m[0].length <= MAX_SENTENCE_CHARS) return m.index + m[0].length;
  if (buf.length <= MAX_SENTENCE_CHARS) return undefined;
  const space = buf.lastIndexOf(' ', MAX_SENTENCE_CHARS);
  return space > 0 ? space + 1 : MAX_SENTENCE_CHARS;
}
