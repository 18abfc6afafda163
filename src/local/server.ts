/**
 * The local runtime's HTTP face, on Node's own `http` module: the timer routes of the API contract go to the
 * engine's `TimerApi.handle` unchanged (same JSON, same errors), and the runtime adds `GET /healthz`,
 * `GET /metrics` (Prometheus text) and `GET /dead-letters`. Bodies are capped before they are buffered.
 */
import * as http from 'http';
import { INTERNAL_ERROR_MESSAGE, Limits, TimerApi } from '../core';

export interface ServerDeps {
  readonly api: TimerApi;
  /** The Prometheus exposition text. */
  readonly metricsText: () => string;
  /** The dead letters, newest first, at most `limit`. */
  readonly deadLetters: (limit: number) => { readonly total: number; readonly items: readonly unknown[] };
  /** The health document. */
  readonly health: () => Record<string, unknown>;
  /** Called after a timer was deleted through the API. */
  readonly onDeleted: (id: string) => void;
  readonly onError: (error: unknown) => void;
}

const DEAD_LETTER_LIMIT = { default: 100, max: 1000 };
const TIMER_ROUTE_PREFIX = /^\/(periodic|oneshot)\//;

function send(res: http.ServerResponse, statusCode: number, body: unknown, contentType = 'application/json'): void {
  const text = contentType === 'application/json' ? JSON.stringify(body) : String(body);
  res.writeHead(statusCode, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads a request body, or reports how large it was once it passed the limit (the rest is drained, not kept). */
function readBody(req: http.IncomingMessage): Promise<{ readonly text: string } | { readonly tooLarge: number }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= Limits.MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > Limits.MAX_BODY_BYTES ? { tooLarge: size } : { text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', reject);
  });
}

export function createServer(deps: ServerDeps): http.Server {
  const runtimeRoute = async (req: http.IncomingMessage, res: http.ServerResponse, pathname: string, query: URLSearchParams): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      req.resume();
      send(res, 405, { message: `method ${req.method} is not allowed on ${pathname}: use GET` });
      return;
    }
    req.resume();
    if (pathname === '/healthz') {
      send(res, 200, deps.health());
    } else if (pathname === '/metrics') {
      send(res, 200, deps.metricsText(), 'text/plain; version=0.0.4; charset=utf-8');
    } else {
      const raw = query.get('limit');
      const limit = raw === null ? DEAD_LETTER_LIMIT.default : Number(raw);
      if (!Number.isInteger(limit) || limit < 1 || limit > DEAD_LETTER_LIMIT.max) {
        send(res, 400, { message: `limit must be a whole number from 1 to ${DEAD_LETTER_LIMIT.max}, got ${JSON.stringify(raw)}` });
        return;
      }
      const { total, items } = deps.deadLetters(limit);
      send(res, 200, { total, deadLetters: items });
    }
  };

  return http.createServer((req, res) => {
    const handle = async (): Promise<void> => {
      const rawUrl = req.url ?? '/';
      // Timer routes skip URL parsing: the engine matches the raw path, and they are most of the traffic.
      if (!TIMER_ROUTE_PREFIX.test(rawUrl)) {
        const url = new URL(rawUrl, 'http://localhost');
        if (['/healthz', '/metrics', '/dead-letters'].includes(url.pathname)) {
          await runtimeRoute(req, res, url.pathname, url.searchParams);
          return;
        }
      }
      const body = await readBody(req);
      if ('tooLarge' in body) {
        send(res, 413, { message: `the request body is ${body.tooLarge} bytes; at most ${Limits.MAX_BODY_BYTES} are accepted` });
        return;
      }
      // The raw path, still percent-encoded: the engine decodes the id itself.
      const queryAt = rawUrl.indexOf('?');
      const rawPath = queryAt < 0 ? rawUrl : rawUrl.slice(0, queryAt);
      const answer = await deps.api.handle({ method: req.method ?? 'GET', path: rawPath, body: body.text === '' ? undefined : body.text });
      if (req.method === 'DELETE' && answer.statusCode === 200) deps.onDeleted((answer.body as { id: string }).id);
      send(res, answer.statusCode, answer.body);
    };
    handle().catch((err) => {
      deps.onError(err);
      if (!res.headersSent) send(res, 500, { message: INTERNAL_ERROR_MESSAGE });
      else res.destroy();
    });
  });
}
