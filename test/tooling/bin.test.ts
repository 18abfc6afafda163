/**
 * The package's bin as it lands wherever the package is installed from its tarball (npm, and the Python and Java
 * packages, which run the bin from the same tarball): it is executable, `--help` works with nothing else installed,
 * and with no SQLite driver installed `local` runs on node:sqlite, or stops with one line that says exactly what to
 * install where Node is too old for it.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const BIN = 'lib/local/cli.js';
let dir: string;
let packed: string;

beforeAll(() => {
  if (!fs.existsSync(path.join(ROOT, BIN))) throw new Error(`${BIN} is missing: compile first (npx projen compile)`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-serverless-timer-bin-'));
  const [{ filename }] = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8' }));
  execFileSync('tar', ['xzf', path.join(dir, filename), '-C', dir]);
  packed = path.join(dir, 'package');
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('the bin is packed executable, with a node shebang', () => {
  // Executable by its owner, its group and others: rwxr-xr-x.
  expect((fs.statSync(path.join(packed, BIN)).mode % 0o1000).toString(8)).toBe('755');
  expect(fs.readFileSync(path.join(packed, BIN), 'utf8').split('\n')[0]).toBe('#!/usr/bin/env node');
  const pkg = JSON.parse(fs.readFileSync(path.join(packed, 'package.json'), 'utf8'));
  expect(pkg.bin).toEqual({ 'cdk-serverless-timer': BIN });
});

test('--help runs from the unpacked package with no dependency installed', () => {
  const run = spawnSync(path.join(packed, BIN), ['--help'], { encoding: 'utf8' });
  expect(run.status).toBe(0);
  expect(run.stdout).toContain('cdk-serverless-timer local');
});

/** Node 22.13 and newer have node:sqlite, which the runtime uses where better-sqlite3 is not installed. */
function nodeHasSqlite(): boolean {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return typeof require('node:sqlite').DatabaseSync === 'function';
  } catch {
    return false;
  }
}

test('with no driver installed, local runs on node:sqlite, or on an older Node stops with one line saying what to install', () => {
  const run = spawnSync(path.join(packed, BIN), ['local', '--memory', '--port', '0'], { encoding: 'utf8', timeout: 5_000, killSignal: 'SIGTERM' });
  if (nodeHasSqlite()) {
    expect(run.stdout).toMatch(/^cdk-serverless-timer listening on http:\/\/127\.0\.0\.1:\d+ /);
    return;
  }
  expect(run.status).not.toBe(0);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/needs the SQLite driver better-sqlite3, which could not be loaded \(Cannot find module 'better-sqlite3'/);
  expect(lines[0]).toContain(`or Node 22.13 or newer for its built-in node:sqlite (this is Node ${process.versions.node})`);
  expect(lines[0]).toContain('npm install -g cdk-serverless-timer better-sqlite3@12');
});
