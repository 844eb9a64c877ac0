import type { IncomingMessage } from 'node:http';
import { SpeechchartsError } from '../errors.js';

/**
 * A request body was longer than the endpoint accepts.
 * @example if (e instanceof RequestBodyTooLargeError) res.writeHead(413);
 */
export class RequestBodyTooLargeError extends SpeechchartsError {
  readonly limit: number;
  constructor(limit: number) {
    super(`the request body is larger than ${limit} bytes`);
    this.limit = limit;
  }
}

/**
 * True unless the request says it comes from a web page of another origin. Browsers send `Origin`
 * with every POST and WebSocket handshake, so a page elsewhere is recognised; tools that send none
 * (curl, scripts on this machine) are let through. `null` (sandboxed frames, `file:` pages) is refused.
 * @example if (!sameOrigin(req, new Set(['127.0.0.1:43117']))) return text(res, 403, 'cross-origin');
 */
export function sameOrigin(req: IncomingMessage, ownHosts: ReadonlySet<string>): boolean {
  const from = req.headers.origin;
  if (from === undefined) return true;
  try {
    const url = new URL(from);
    return url.protocol === 'http:' && ownHosts.has(url.host.toLowerCase());
  } catch {
    return false; // not a URL: not one of ours
  }
}

/**
 * True when the request's body is declared JSON (`application/json`, any charset). A web page
 * elsewhere can POST `text/plain` without asking; JSON makes the browser ask first (a CORS
 * preflight), which this server never approves.
 * @example if (!isJsonRequest(req)) return text(res, 415, 'send application/json');
 */
export function isJsonRequest(req: IncomingMessage): boolean {
  const type = req.headers['content-type'];
  return typeof type === 'string' && type.split(';')[0]!.trim().toLowerCase() === 'application/json';
}

/**
 * Reads a request body as UTF-8, up to `limit` bytes. Past it, stops collecting (the rest is
 * discarded as it arrives) and rejects with {@link RequestBodyTooLargeError}; a declared
 * `content-length` over the limit is refused before any byte is read.
 * @example const body = await readBody(req, 256 * 1024);
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      reject(new RequestBodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new RequestBodyTooLargeError(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}
