#!/usr/bin/env node
/**
 * A convenience around `artillery run timers.yml`: starts its own local runtime (the CLI of `npm start`, on a free
 * port, with a temporary database), runs the suite against it, stops the runtime and removes the database. The exit
 * code is the suite's.
 *
 *   node run.mjs [--smoke] [--pause-runtime <seconds>] [artillery run flags...]
 *
 * `--pause-runtime <seconds>` stops the runtime's process (SIGSTOP) that long, from 10 s into the firing window, then
 * lets it go on (SIGCONT): what an outage of the service looks like to the suite, which must then fail.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = resolve(HERE, '..');
const ARTILLERY = join(HERE, 'node_modules', 'artillery', 'bin', 'run');
const START_TIMEOUT_MS = 60_000;
const PAUSE_AFTER_WINDOW_OPENS_MS = 10_000;

function fail(message) {
  process.stderr.write(`loadtest: ${message}\n`);
  process.exit(2);
}

function parseOptions(argv) {
  const options = { smoke: false, pauseSeconds: 0, artilleryArgs: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--smoke') options.smoke = true;
    else if (argv[i] === '--pause-runtime') {
      options.pauseSeconds = Number(argv[++i]);
      if (!Number.isInteger(options.pauseSeconds) || options.pauseSeconds < 1) fail(`--pause-runtime needs a whole number of seconds, got ${JSON.stringify(argv[i])}`);
    } else options.artilleryArgs.push(argv[i]);
  }
  return options;
}

/** The runtime as `npm start` runs it (same CLI, same default callback), on a free port and a temporary database. */
function startRuntime(db) {
  if (!existsSync(join(REPO_ROOT, 'node_modules', 'tsx'))) fail(`the local runtime needs the repository's dependencies: run npm ci in ${REPO_ROOT}`);
  const child = spawn(process.execPath, ['--import', 'tsx', join('src', 'local', 'cli.ts'), 'local', '--port', '0', '--db', db,
    '--callback', join('examples', 'print-firing.ts'), '--stop-with-parent'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  // The callback prints every firing: counted here, not echoed, so the suite's table stays readable.
  let firings = 0;
  const url = new Promise((done, reject) => {
    const timer = setTimeout(() => reject(new Error(`the runtime printed no URL within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        const match = /listening on (http:\/\/\S+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          done(match[1]);
        } else if (line.startsWith('firing ')) firings++;
      }
    });
    exited.then(({ code, signal }) => reject(new Error(`the runtime exited at start (code ${code}, signal ${signal})`)));
  });
  return {
    pid: child.pid,
    url,
    firings: () => firings,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
      }
      return exited;
    },
  };
}

/** Runs the suite with its output on this terminal, watching for the window line when a pause is asked for. */
function runSuite(target, options) {
  if (!existsSync(ARTILLERY)) fail('Artillery is not installed: run `PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci` in the loadtest directory first');
  const args = [ARTILLERY, 'run', '--target', target, ...(options.smoke ? ['--environment', 'smoke'] : []), ...options.artilleryArgs, join(HERE, 'timers.yml')];
  const child = spawn(process.execPath, args, { cwd: HERE, env: { ...process.env, ARTILLERY_DISABLE_TELEMETRY: 'true' }, stdio: ['inherit', 'pipe', 'inherit'] });
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) options.onLine?.(line);
  });
  return new Promise((done) => child.once('exit', (code, signal) => done(code ?? (signal ? 1 : 0))));
}

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'cdk-serverless-timer-loadtest-'));
  const runtime = startRuntime(join(dir, 'timers.db'));
  const timers = [];
  try {
    const url = await runtime.url;
    process.stdout.write(`loadtest: local runtime pid ${runtime.pid} at ${url} (database in ${dir})\n`);
    if (options.pauseSeconds > 0) {
      options.onLine = (line) => {
        const window = /^firing window: (\S+) to (\S+),/.exec(line);
        if (!window) return;
        const pauseAt = Date.parse(window[1]) + PAUSE_AFTER_WINDOW_OPENS_MS;
        timers.push(setTimeout(() => {
          process.stdout.write(`loadtest: pausing the runtime (pid ${runtime.pid}) for ${options.pauseSeconds} s\n`);
          process.kill(runtime.pid, 'SIGSTOP');
          timers.push(setTimeout(() => {
            process.kill(runtime.pid, 'SIGCONT');
            process.stdout.write('loadtest: the runtime goes on\n');
          }, options.pauseSeconds * 1000));
        }, Math.max(0, pauseAt - Date.now())));
      };
    }
    return await runSuite(url, options);
  } finally {
    for (const timer of timers) clearTimeout(timer);
    const stopped = await runtime.stop();
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`loadtest: local runtime stopped (code ${stopped.code}${stopped.signal ? `, signal ${stopped.signal}` : ''}); it printed ${runtime.firings()} firings\n`);
  }
}

main().then((code) => process.exit(code), (error) => fail(error instanceof Error ? error.message : String(error)));
