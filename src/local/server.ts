/**
 * The local runtime's HTTP face, on Node's own `http` module: the timer routes of the API contract go to the
 * engine's `TimerApi.handle` unchanged (same JSON, same errors), and the runtime adds `GET /healthz`,
 * `GET /metrics` (Prometheus text), `GET /dead-letters` and `GET /lateness` (what was delivered, per minute). Bodies are capped before they are buffered.
 */
import * as http from 'http';
import { INTERNAL_ERROR_MESSAGE, Limits, TimerApi } from '../core';
import { LatenessReport, MAX_LATENESS_REPORT_MINUTES } from './lateness';

export interface ServerDeps {
  readonly api: TimerApi;
  /** The Prometheus exposition text. */
  readonly metricsText: () => string;
  /** The dead letters, newest first, at most `limit`. */
  readonly deadLetters: (limit: number) => { readonly total: number; readonly items: readonly unknown[] };
  /** The health document. */
  readonly health: () => Record<string, unknown>;
  /** What was delivered, per minute of `ScheduledAt` in [fromMs, toMs). */
  readonly lateness: (fromMs: number, toMs: number, timerIdPrefix?: string) => LatenessReport;
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

interface RouteAnswer {
  readonly statusCode: number;
  readonly body: unknown;
  readonly contentType?: string;
}

/**
 * The routes the local runtime serves besides the timer routes, all `GET`: the one table the server dispatches from
 * and the engine's 404 answer names (`RUNTIME_ROUTE_NAMES`). A new runtime route is one more entry here.
 */
const RUNTIME_ROUTES: Readonly<Record<string, (deps: ServerDeps, query: URLSearchParams) => RouteAnswer>> = {
  '/healthz': (deps) => ({ statusCode: 200, body: deps.health() }),
  '/metrics': (deps) => ({ statusCode: 200, body: deps.metricsText(), contentType: 'text/plain; version=0.0.4; charset=utf-8' }),
  '/dead-letters': (deps, query) => {
    const raw = query.get('limit');
    const limit = raw === null ? DEAD_LETTER_LIMIT.default : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > DEAD_LETTER_LIMIT.max) {
      return { statusCode: 400, body: { message: `limit must be a whole number from 1 to ${DEAD_LETTER_LIMIT.max}, got ${JSON.stringify(raw)}` } };
    }
    const { total, items } = deps.deadLetters(limit);
    return { statusCode: 200, body: { total, deadLetters: items } };
  },
  '/lateness': (deps, query) => {
    const to = epochMs(query, 'to', Date.now());
    if (typeof to === 'string') return { statusCode: 400, body: { message: to } };
    const from = epochMs(query, 'from', to - 3_600_000);
    if (typeof from === 'string') return { statusCode: 400, body: { message: from } };
    if (from >= to) return { statusCode: 400, body: { message: `from must be before to, got from=${from} and to=${to}` } };
    if (to - from > MAX_LATENESS_REPORT_MINUTES * 60_000) {
      return { statusCode: 400, body: { message: `from and to may be at most ${MAX_LATENESS_REPORT_MINUTES} minutes apart, got ${Math.ceil((to - from) / 60_000)}` } };
    }
    const prefix = query.get('timerIdPrefix') ?? '';
    if (prefix.length > Limits.ID_MAX_LENGTH) {
      return { statusCode: 400, body: { message: `timerIdPrefix may be at most ${Limits.ID_MAX_LENGTH} characters (the longest id), got ${prefix.length}` } };
    }
    return { statusCode: 200, body: deps.lateness(from, to, prefix) };
  },
};

/** The query parameter `name` as epoch milliseconds (`fallback` when absent), or the message saying what is wrong. */
function epochMs(query: URLSearchParams, name: string, fallback: number): number | string {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  return /^[0-9]{1,15}$/.test(raw) && Number.isSafeInteger(value)
    ? value
    : `${name} must be a time in epoch milliseconds (a whole number such as ${Date.UTC(2026, 0, 1)}), got ${JSON.stringify(raw)}`;
}

/** The runtime's own routes as a 404 answer names them (`GET /healthz`, ...): pass them to `TimerApi`. */
export const RUNTIME_ROUTE_NAMES: readonly string[] = Object.keys(RUNTIME_ROUTES).map((path) => `GET ${path}`);

export function createServer(deps: ServerDeps): http.Server {
  const runtimeRoute = (req: http.IncomingMessage, res: http.ServerResponse, pathname: string, query: URLSearchParams): void => {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 405, { message: `method ${req.method} is not allowed on ${pathname}: use GET` });
      return;
    }
    const answer = RUNTIME_ROUTES[pathname](deps, query);
    send(res, answer.statusCode, answer.body, answer.contentType);
  };

  return http.createServer((req, res) => {
    const handle = async (): Promise<void> => {
      const rawUrl = req.url ?? '/';
      // Timer routes skip URL parsing: the engine matches the raw path, and they are most of the traffic.
      if (!TIMER_ROUTE_PREFIX.test(rawUrl)) {
        const url = new URL(rawUrl, 'http://localhost');
        if (Object.prototype.hasOwnProperty.call(RUNTIME_ROUTES, url.pathname)) {
          runtimeRoute(req, res, url.pathname, url.searchParams);
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
