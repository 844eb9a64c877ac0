import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the OpenAI API on 127.0.0.1, speaking its documented wire formats:
 * - `POST /v1/chat/completions` with `stream: true`: server-sent events, one `data:` line per
 *   `chat.completion.chunk` (text deltas; tool-call deltas with the id and name in the first and the
 *   arguments JSON split over several), then a usage chunk (`stream_options.include_usage`), then
 *   `data: [DONE]`.
 * - `POST /v1/audio/speech` with `response_format: 'pcm'`: raw 24 kHz mono s16le, streamed in chunks
 *   (or held before the headers, or an HTTP error status).
 * Each request's body is recorded; `closed` fires when a request's connection closes, with whether
 * the response had been sent whole (false: the client hung up first).
 */
export class OpenAIStandIn extends EventEmitter<{ request: [StandInRequest]; closed: [StandInRequest] }> {
  readonly requests: StandInRequest[] = [];
  /** What the next chat completions answer: a script per request, in order (the last one repeats). */
  chatScripts: ChatScript[] = [];
  /** Audio samples per character of input (24 kHz). Default 240 (10 ms a character). */
  samplesPerChar = 240;
  /** Speech requests: send this many samples, then hold the response open (never end). Unset: send all. */
  speechHoldAfterSamples: number | undefined;
  /** Speech requests: send no response at all, not even the headers (the client must hang up). */
  speechHoldHeaders = false;
  /** Speech requests: answer with this HTTP error status (an OpenAI error body) instead. */
  speechStatus: number | undefined;
  private server: Server | undefined;
  private sockets = new Set<import('node:net').Socket>();

  get baseURL(): string {
    const a = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${a.port}/v1`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res).catch((e: unknown) => this.emit('error', e)));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    if (this.server) await new Promise<void>((r) => this.server!.close(() => r()));
  }

  /** Resolves when request `r`'s connection has closed. */
  async closedOf(r: StandInRequest): Promise<StandInRequest> {
    if (r.closedAt !== undefined) return r;
    return new Promise((resolve) => {
      const on = (x: StandInRequest) => {
        if (x !== r) return;
        this.off('closed', on);
        resolve(x);
      };
      this.on('closed', on);
    });
  }

  /** Resolves with the next request to `path` (or the one already received, if `index` < count). */
  async nextRequest(path: string, index: number): Promise<StandInRequest> {
    const have = this.requests.filter((r) => r.path === path);
    if (have[index]) return have[index];
    return new Promise((resolve) => {
      const on = (x: StandInRequest) => {
        const now = this.requests.filter((r) => r.path === path);
        if (now[index]) {
          this.off('request', on);
          resolve(now[index]);
        }
      };
      this.on('request', on);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r: StandInRequest = { path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'), receivedAt: performance.now(), completed: false };
    this.requests.push(r);
    // The client hanging up shows as the response closing before it ended.
    res.on('close', () => {
      r.closedAt = performance.now();
      r.completed = res.writableFinished;
      this.emit('closed', r);
    });
    this.emit('request', r);
    if (r.path === '/v1/chat/completions') return this.chat(r, res);
    if (r.path === '/v1/audio/speech') return this.speech(r, res);
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${r.path}` } }));
  }

  private async chat(r: StandInRequest, res: ServerResponse): Promise<void> {
    const n = this.requests.filter((x) => x.path === r.path).length - 1;
    const script = this.chatScripts[Math.min(n, this.chatScripts.length - 1)] ?? { text: ['OK.'] };
    if (script.status) {
      res.writeHead(script.status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'stand-in failure', type: 'server_error', code: null } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const id = `chatcmpl-${n + 1}`;
    const base = { id, object: 'chat.completion.chunk', created: 1_700_000_000, model: String(r.body.model ?? 'gpt-4o-mini') };
    const send = (choices: unknown[], extra: object = {}) => res.write(`data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`);
    send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    for (const t of script.text ?? []) send([{ index: 0, delta: { content: t }, finish_reason: null }]);
    (script.toolCalls ?? []).forEach((call, i) => {
      // First delta: id, type and name with empty arguments; then the arguments in pieces.
      send([{ index: 0, delta: { tool_calls: [{ index: i, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }, finish_reason: null }]);
      for (const piece of splitInto(call.arguments, 3)) send([{ index: 0, delta: { tool_calls: [{ index: i, function: { arguments: piece } }] }, finish_reason: null }]);
    });
    if (script.hold) return; // never ends: the client must hang up
    send([{ index: 0, delta: {}, finish_reason: script.toolCalls?.length ? 'tool_calls' : 'stop' }]);
    send([], { usage: { prompt_tokens: 42, completion_tokens: 7, total_tokens: 49, prompt_tokens_details: { cached_tokens: 0 } } });
    res.end('data: [DONE]\n\n');
  }

  private async speech(r: StandInRequest, res: ServerResponse): Promise<void> {
    if (this.speechHoldHeaders) return;
    if (this.speechStatus) {
      res.writeHead(this.speechStatus, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'stand-in failure', type: 'server_error', code: null } }));
      return;
    }
    const total = String(r.body.input ?? '').length * this.samplesPerChar;
    const pcm = Buffer.alloc(total * 2);
    for (let i = 0; i < total; i++) pcm.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 220 * i) / 24000)), i * 2);
    res.writeHead(200, { 'content-type': 'audio/pcm' });
    const limit = this.speechHoldAfterSamples === undefined ? total : Math.min(total, this.speechHoldAfterSamples);
    const step = 4800 * 2; // 200 ms per write
    for (let at = 0; at < limit * 2; at += step) {
      res.write(pcm.subarray(at, Math.min(limit * 2, at + step)));
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.speechHoldAfterSamples !== undefined) return; // held open: the client must hang up
    res.end();
  }
}

export interface StandInRequest {
  path: string;
  body: Record<string, unknown> & { messages?: { role: string; content?: unknown; tool_calls?: unknown[]; tool_call_id?: string }[] };
  /** performance.now() when the body had arrived. */
  receivedAt: number;
  /** performance.now() when the connection closed. */
  closedAt?: number;
  /** The response had been sent whole when the connection closed. */
  completed: boolean;
}

/** One chat completion: text deltas, then whole tool calls (sent split), optionally held open. */
export interface ChatScript {
  text?: string[];
  toolCalls?: { id: string; name: string; arguments: string }[];
  /** Send the deltas, then neither finish nor close. */
  hold?: boolean;
  /** Answer with this HTTP error status (an OpenAI error body) instead. */
  status?: number;
}

function splitInto(s: string, n: number): string[] {
  const size = Math.max(1, Math.ceil(s.length / n));
  const out: string[] = [];
  for (let i = 0; i < s.length; i += size) out.push(s.slice(i, i + size));
  return out;
}
