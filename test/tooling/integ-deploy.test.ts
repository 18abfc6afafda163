/**
 * `npx projen integ:deploy` as a user without AWS set up meets it: it fails within seconds with one line that says what
 * is missing, and leaves the working tree as it found it. With credentials STS accepts (moto's STS here), `--check`
 * names the account and region it would deploy to.
 */
import { spawnSync } from 'child_process';
import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { useMoto } from '../support/moto';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** This process's environment without anything that could lead the SDK to credentials or a region. */
function bareEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_')) env[name] = value;
  }
  return { ...env, HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...extra };
}

function gitStatus(): string {
  return spawnSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: REPO_ROOT, encoding: 'utf8' }).stdout;
}

let home: string;
beforeAll(() => { home = mkdtempSync(path.join(tmpdir(), 'integ-deploy-home-')); });
afterAll(() => rmSync(home, { recursive: true, force: true }));

test.each([
  ['no credentials', { AWS_REGION: 'eu-west-1' }, 'integ:deploy: no AWS credentials found: set AWS_PROFILE'],
  ['no region', {}, 'integ:deploy: no AWS region: set AWS_REGION'],
])('with %s, the task fails within seconds with one line saying so, and changes nothing in the tree', (_case, extra, line) => {
  // GIVEN
  const before = gitStatus();
  const started = Date.now();
  // WHEN
  const run = spawnSync('npx', ['projen', 'integ:deploy'], { cwd: REPO_ROOT, env: bareEnv(home, extra), encoding: 'utf8', timeout: 60_000 });
  // THEN
  expect(run.status).not.toBe(0);
  expect(run.status).not.toBeNull();
  expect(Date.now() - started).toBeLessThan(60_000);
  const ours = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.startsWith('integ:deploy:'));
  expect(ours).toHaveLength(1);
  expect(ours[0]).toContain(line);
  expect(gitStatus()).toBe(before);
});

describe('with credentials STS accepts', () => {
  const moto = useMoto();

  test('--check names the account and region and deploys nothing', () => {
    const run = spawnSync(path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx'), ['integ/deploy.ts', '--check'], {
      cwd: REPO_ROOT,
      env: bareEnv(home, {
        AWS_REGION: 'eu-central-1',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_ENDPOINT_URL_STS: moto.server().endpoint,
      }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr.split('\n').filter((l) => l.startsWith('integ:deploy:'))).toEqual([]);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split('\n').pop()).toMatch(/^integ:deploy: credentials for account [0-9]{12} in eu-central-1$/);
  });
});
