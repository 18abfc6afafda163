/**
 * The command line, black-box: --help lists every flag with its default, and a bad flag is refused with one line
 * that names the flag and the form it accepts; the start line says where the timers are kept and with which driver.
 */
import { runCli, startService, stopAll } from './harness';
import { DRIVER_ENV } from '../../src/local/sqlite-driver';

afterAll(stopAll);

test('--help lists every flag with its default and exits 0', async () => {
  const run = runCli(['local', '--help']);

  expect(await run.exited).toBe(0);
  const help = run.stdout.join('\n');
  for (const [flag, dflt] of [
    ['--host', '127.0.0.1'], ['--port', '8787'], ['--db', '.timers/timers.db'], ['--memory', 'off'], ['--period', '60s'],
    ['--shards', '1'], ['--callback', 'none'], ['--webhook', 'none'], ['--max-receive-count', '5'],
    ['--visibility-timeout', '30s'], ['--retry-backoff', '1s'], ['--concurrency', '10'],
  ]) {
    expect(help).toMatch(new RegExp(`^  ${flag}\\b.*\\(default: ${dflt.replace(/\./g, '\\.')}\\)$`, 'm'));
  }
});

test.each([
  [['--port', 'eighty'], /^cdk-serverless-timer: --port must be a whole number from 0 to 65535, got "eighty"$/],
  [['--period', '1.5s'], /^cdk-serverless-timer: --period must be a duration like 500ms, 5s, 2m or 1h/],
  [['--period', '20m'], /^cdk-serverless-timer: --period must be whole seconds from 1s to 14m, got "20m"$/],
  [['--max-receive-count', '0'], /^cdk-serverless-timer: --max-receive-count must be a whole number from 1 to 1000/],
  [['--webhook', 'ftp://x'], /^cdk-serverless-timer: --webhook must be an http:\/\/ or https:\/\/ URL/],
  [['--frequency', '5s'], /^cdk-serverless-timer: unknown flag "--frequency": the flags are --host, --port/],
  [['--memory', '--db', 'x.db'], /^cdk-serverless-timer: --db and --memory exclude each other/],
])('bad flags %j are refused with one line naming the flag', async (flags, message) => {
  const run = runCli(['local', ...flags]);

  expect(await run.exited).toBe(2);
  const lines = run.stderr().trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
});

test('the start line names the store and the SQLite driver in use', async () => {
  // This suite runs once on the default driver (better-sqlite3, installed here) and once with node:sqlite forced.
  const expected = process.env[DRIVER_ENV] === 'node' ? 'node:sqlite' : 'better-sqlite3';
  const service = await startService(['--memory', '--period', '5s']);

  const line = service.stdout.find((l) => l.includes(' listening on '))!;
  expect(line).toMatch(new RegExp(`^cdk-serverless-timer listening on http://127\\.0\\.0\\.1:\\d+ \\(in memory on ${expected}, period 5s, `));
});
