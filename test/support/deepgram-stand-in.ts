import { EventEmitter, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A stand-in for Deepgram's live transcription API (`wss://api.deepgram.com/v1/listen`) on
 * 127.0.0.1: takes binary linear16 audio and JSON control messages (KeepAlive, Finalize,
 * CloseStream), and lets the test send what Deepgram documents: `Results` (is_final,
 * speech_final), `SpeechStarted` and `UtteranceEnd` messages.
 */
export class DeepgramStandIn extends EventEmitter<{ connection: [DeepgramConnection] }> {
  readonly connections: DeepgramConnection[] = [];
  private wss: WebSocketServer | undefined;

  /** The plugin's `baseUrl` (it appends `/v1/listen`). */
  get baseUrl(): string {
    return `ws://127.0.0.1:${(this.wss!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/v1/listen' });
    this.wss.on('connection', (ws, req) => {
      const c = new DeepgramConnection(ws, new URL(req.url ?? '/', 'http://x'), req.headers.authorization ?? '');
      this.connections.push(c);
      this.emit('connection', c);
    });
    await once(this.wss, 'listening');
    return this;
  }

  async nextConnection(index: number): Promise<DeepgramConnection> {
    if (this.connections[index]) return this.connections[index];
    return new Promise((resolve) => {
      const on = () => {
        if (!this.connections[index]) return;
        this.off('connection', on);
        resolve(this.connections[index]);
      };
      this.on('connection', on);
    });
  }

  async stop(): Promise<void> {
    for (const c of this.connections) c.ws.terminate();
    if (this.wss) await new Promise<void>((r) => this.wss!.close(() => r()));
  }
}

export class DeepgramConnection extends EventEmitter<{ audio: [number]; control: [string] }> {
  audioBytes = 0;
  readonly controls: string[] = [];
  /** performance.now() when the socket closed. */
  closedAt: number | undefined;
  readonly closed: Promise<{ code: number }>;

  constructor(
    readonly ws: WebSocket,
    readonly url: URL,
    readonly authorization: string,
  ) {
    super();
    this.closed = new Promise((resolve) =>
      ws.on('close', (code) => {
        this.closedAt = performance.now();
        resolve({ code });
      }),
    );
    ws.on('message', (data, isBinary) => {
      if (isBinary) {
        this.audioBytes += (data as Buffer).length;
        this.emit('audio', this.audioBytes);
      } else {
        const type = String((JSON.parse(String(data)) as { type?: unknown }).type);
        this.controls.push(type);
        this.emit('control', type);
      }
    });
  }

  /** Resolves once at least `bytes` of audio have arrived. */
  async audioReceived(bytes: number): Promise<void> {
    if (this.audioBytes >= bytes) return;
    await new Promise<void>((resolve) => {
      const on = (n: number) => {
        if (n < bytes) return;
        this.off('audio', on);
        resolve();
      };
      this.on('audio', on);
    });
  }

  speechStarted(timestamp: number): void {
    this.ws.send(JSON.stringify({ type: 'SpeechStarted', channel: [0, 1], timestamp }));
  }

  /** A `Results` message as Deepgram sends it: words with times (s), transcript, confidence. */
  results(o: { transcript: string; start: number; duration: number; isFinal: boolean; speechFinal: boolean; confidence: number }): void {
    const words = o.transcript.split(/\s+/).filter(Boolean);
    const step = o.duration / Math.max(1, words.length);
    this.ws.send(
      JSON.stringify({
        type: 'Results',
        channel_index: [0, 1],
        duration: o.duration,
        start: o.start,
        is_final: o.isFinal,
        speech_final: o.speechFinal,
        from_finalize: false,
        channel: {
          alternatives: [
            {
              transcript: o.transcript,
              confidence: o.confidence,
              words: words.map((w, i) => ({ word: w.toLowerCase().replace(/[^a-z']/g, ''), start: o.start + i * step, end: o.start + (i + 1) * step, confidence: o.confidence, punctuated_word: w })),
            },
          ],
        },
        metadata: { request_id: 'stand-in-request', model_info: { name: 'nova-3', version: 'stand-in', arch: 'stand-in' }, model_uuid: '00000000-0000-0000-0000-000000000000' },
      }),
    );
  }

  utteranceEnd(lastWordEnd: number): void {
    this.ws.send(JSON.stringify({ type: 'UtteranceEnd', channel: [0, 1], last_word_end: lastWordEnd }));
  }
}
