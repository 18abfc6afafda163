/**
 * `npm start` as users and process managers stop it: a SIGTERM or a SIGINT sent to the pid of `npm start` alone (not
 * to its process group, as a terminal's Ctrl-C does) stops the runtime under it, so that within 6 s its port is free
 * and its database can be opened for writing by the next start. A SIGKILL, which npm cannot pass on, does the same.
 */
import { ChildProcess, spawn } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import * as path from 'path';
import Database from 'better-sqlite3';
import { waitFor } from './harness';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const STOP_WITHIN_MS = 6_000;

let dir: string;
let npm: ChildProcess | undefined;
/** What `npm start` has written to stderr so far (the runtime's JSON log lines among it). */
let stderr = '';

beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'npm-start-')); });
afterEach(() => {
  // Whatever the outcome, nothing of this test stays running: the whole process group goes.
  if (npm?.pid !== undefined) {
    try { process.kill(-npm.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `npm start -- --port 0 --db <file>` in a process group of its own; resolves with the port it listens on. */
function npmStart(db: string): Promise<number> {
  stderr = '';
  npm = spawn('npm', ['start', '--', '--port', '0', '--db', db], { cwd: REPO_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not listen within 60 s:\n${out}\n${err}`)), 60_000);
    npm!.stderr!.on('data', (chunk) => { err += chunk; stderr += chunk; });
    npm!.stdout!.on('data', (chunk) => {
      out += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    npm!.on('exit', (code) => reject(new Error(`npm start exited with ${code} before listening:\n${out}\n${err}`)));
  });
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function databaseWritable(file: string): boolean {
  try {
    const db = new Database(file, { timeout: 0 });
    try {
      db.exec('BEGIN EXCLUSIVE; COMMIT;');
      return true;
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

test.each(['SIGTERM', 'SIGINT', 'SIGKILL'] as const)('%s to the pid of npm start frees the port and the database within 6 s', async (signal) => {
  // (SIGKILL: npm cannot pass it on; the runtime sees its parent gone, through --stop-with-parent, and stops.)
  // GIVEN a running `npm start`, whose database is locked by the runtime
  const db = path.join(dir, 'timers.db');
  const port = await npmStart(db);
  expect(await portFree(port)).toBe(false);
  expect(databaseWritable(db)).toBe(false);
  const streamsClosed = new Promise<void>((resolve) => npm!.stderr!.on('end', () => resolve()));
  // WHEN the signal reaches npm's pid only
  const sent = Date.now();
  process.kill(npm!.pid!, signal);
  // THEN
  expect(await waitFor('the port to be free', () => portFree(port), STOP_WITHIN_MS)).toBe(true);
  expect(await waitFor('the database to be writable', () => databaseWritable(db), STOP_WITHIN_MS - (Date.now() - sent))).toBe(true);
  expect(Date.now() - sent).toBeLessThan(STOP_WITHIN_MS);
  // and it was a stop in order, not the runtime killed
  await streamsClosed;
  expect(stopMessages()).toEqual(['stopping', 'stopped']);
});

/** The runtime's "stopping" and "stopped" log lines, in order. */
function stopMessages(): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line).message)
    .filter((message) => message === 'stopping' || message === 'stopped');
}

test('Ctrl-C (SIGINT to the whole group, which npm passes on a second time) stops the runtime cleanly, not forced', async () => {
  // GIVEN
  const db = path.join(dir, 'timers.db');
  const port = await npmStart(db);
  const streamsClosed = new Promise<void>((resolve) => npm!.stderr!.on('end', () => resolve()));
  // WHEN the terminal's Ctrl-C: SIGINT to every process of the group
  process.kill(-npm!.pid!, 'SIGINT');
  // THEN one stop, awaited to its end: "stopped" is logged only after the runtime stopped in order, never on a forced exit
  await streamsClosed;
  expect(stopMessages()).toEqual(['stopping', 'stopped']);
  expect(await portFree(port)).toBe(true);
  expect(databaseWritable(db)).toBe(true);
});
