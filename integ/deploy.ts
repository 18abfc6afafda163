/**
 * `npx projen integ:deploy`: deploys every integration test in `integ/` to the AWS account and region of the caller's
 * credentials, runs its assertions and destroys it, every time it is asked (integ-runner's `--force`; without it,
 * integ-runner skips a test whose snapshot did not change and reports success without deploying anything).
 *
 * Before anything runs, the credentials and region are checked with STS GetCallerIdentity: without them the command
 * fails within seconds with one line saying what is missing. `--check` stops after that check. Every other argument
 * goes to integ-runner: the task passes the ones its other integ tasks share (language, directory, app).
 */
import { spawnSync } from 'child_process';
import * as path from 'path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

const PREFIX = 'integ:deploy:';
const CREDENTIALS_HINT = 'set AWS_PROFILE (with `aws sso login` or `aws configure`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY';

/** The account and region integ-runner will deploy to, or the one line that says what is missing. */
export async function callerEnvironment(): Promise<{ account: string; region: string } | { missing: string }> {
  const sts = new STSClient({ maxAttempts: 1, requestHandler: { connectionTimeout: 5_000, requestTimeout: 10_000 } });
  let region: string;
  try {
    region = await sts.config.region();
  } catch {
    return { missing: `${PREFIX} no AWS region: set AWS_REGION, or a region in the profile AWS_PROFILE names` };
  }
  try {
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    return { account: identity.Account ?? 'unknown', region };
  } catch (error) {
    const e = error as Error;
    if (e.name === 'CredentialsProviderError' || /credential/i.test(e.message)) {
      return { missing: `${PREFIX} no AWS credentials found: ${CREDENTIALS_HINT}` };
    }
    const reason = `${e.name}: ${e.message.split('\n')[0]}`;
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined) {
      return { missing: `${PREFIX} STS refused the AWS credentials in ${region} (${reason}): ${CREDENTIALS_HINT}` };
    }
    return { missing: `${PREFIX} could not reach STS in ${region} to check the AWS credentials (${reason})` };
  } finally {
    sts.destroy();
  }
}

async function main(args: string[]): Promise<number> {
  const found = await callerEnvironment();
  if ('missing' in found) {
    process.stderr.write(`${found.missing}\n`);
    return 1;
  }
  if (args.includes('--check')) {
    process.stdout.write(`${PREFIX} credentials for account ${found.account} in ${found.region}\n`);
    return 0;
  }
  process.stdout.write(`${PREFIX} account ${found.account}, region ${found.region}: deploying, asserting and destroying `
    + '(about 20 minutes; see the README for what it costs)\n');
  const runner = spawnSync('integ-runner', [
    ...args,
    // Every test, every time; in the caller's region only; straight to the current app (no deploy of the snapshot
    // first); destroyed afterwards, even when an assertion failed.
    '--force', '--parallel-regions', found.region, '--no-update-workflow', '--clean',
  ], { stdio: 'inherit', cwd: path.resolve(__dirname, '..') });
  if (runner.error) {
    process.stderr.write(`${PREFIX} could not run integ-runner (${runner.error.message}): run npm ci first\n`);
    return 1;
  }
  return runner.status ?? 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (error) => {
    process.stderr.write(`${PREFIX} ${(error as Error).message}\n`);
    process.exit(1);
  });
}
