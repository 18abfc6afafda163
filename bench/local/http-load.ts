/**
 * The load generator of the local benchmark: PUTs timers into the runtime's HTTP API from a fixed number of
 * keep-alive connections, each connection sending its next request as soon as the last one was answered, as a
 * client library with a connection pool would. It counts answers and stops at the first one that is not 200.
 */
import * as http from 'http';

const RETRIES = 3;

export interface CreateResult {
  readonly created: number;
  /** Requests sent again after the server reset a reused keep-alive connection. */
  readonly retried: number;
  readonly elapsedMs: number;
  readonly perSecond: number;
}

/**
 * Sends `count` PUT requests (`pathOf(i)`, `bodyOf(i)`) over `connections` keep-alive connections; `onProgress` is
 * called with the running count about once a second.
 */
export async function putAll(
  baseUrl: string,
  count: number,
  connections: number,
  pathOf: (i: number) => string,
  bodyOf: (i: number) => string,
  onProgress?: (done: number) => void,
): Promise<CreateResult> {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let next = 0;
  let done = 0;
  const started = Date.now();
  const progress = onProgress && setInterval(() => onProgress(done), 1000);

  const putOne = (i: number): Promise<void> =>
    new Promise((resolve, reject) => {
      const body = bodyOf(i);
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: 'PUT',
          path: pathOf(i),
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            if (res.statusCode === 200) resolve();
            else reject(new Error(`PUT ${pathOf(i)} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  let failed = false;
  let retried = 0;
  /**
   * A server that stalls longer than its keep-alive timeout resets a connection whose next request is already on
   * the wire; PUT is idempotent, so it is sent again, as HTTP clients do for idempotent requests.
   */
  const putWithRetry = async (i: number): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await putOne(i);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (attempt >= RETRIES || (code !== 'ECONNRESET' && code !== 'EPIPE')) throw err;
        retried++;
      }
    }
  };
  const connection = async (): Promise<void> => {
    try {
      while (next < count && !failed) {
        await putWithRetry(next++);
        done++;
      }
    } catch (err) {
      failed = true;
      throw err;
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(connections, count) }, connection));
  } finally {
    if (progress) clearInterval(progress);
    agent.destroy();
  }
  const elapsedMs = Date.now() - started;
  return { created: done, retried, elapsedMs, perSecond: done / (elapsedMs / 1000) };
}

/**
 * Measures how long the server takes to answer a trivial GET (`path`) every `everyMs`: a long answer means its event
 * loop was blocked, which delays every firing due meanwhile. `stop` returns the stalls over `thresholdMs`.
 */
export function probeStalls(baseUrl: string, path: string, everyMs: number, thresholdMs: number): { stop(): Array<{ at: number; ms: number }> } {
  const url = new URL(path, baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const stalls: Array<{ at: number; ms: number }> = [];
  let stopped = false;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      const started = Date.now();
      await new Promise<void>((resolve) => {
        const req = http.get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve());
          res.on('error', () => resolve());
        });
        req.on('error', () => resolve());
      });
      const ms = Date.now() - started;
      if (ms > thresholdMs) stalls.push({ at: started, ms });
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  };
  void loop();
  return {
    stop: () => {
      stopped = true;
      agent.destroy();
      return stalls;
    },
  };
}
