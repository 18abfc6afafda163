/**
 * The load generator of the local benchmark: PUTs timers into the runtime's HTTP API from a fixed number of
 * keep-alive connections, each connection sending its next request as soon as the last one was answered, as a
 * client library with a connection pool would. It counts answers and stops at the first one that is not 200.
 */
import * as http from 'http';

export interface CreateResult {
  readonly created: number;
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
  const connection = async (): Promise<void> => {
    try {
      while (next < count && !failed) {
        await putOne(next++);
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
  return { created: done, elapsedMs, perSecond: done / (elapsedMs / 1000) };
}
