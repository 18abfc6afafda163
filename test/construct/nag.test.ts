/**
 * cdk-nag's AwsSolutions pack over a stack holding a `ServerlessTimer` in its main configurations: the construct must
 * leave no unacknowledged finding, and every acknowledgment must carry a reason.
 */
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ServerlessTimer, ServerlessTimerProps } from '../../src';

/** A callback written as a user would to pass the same checks: its own log group and a role limited to it. */
function callbackIn(stack: Stack): lambda.Function {
  const logGroup = new logs.LogGroup(stack, 'CallbackLogs', { retention: logs.RetentionDays.ONE_WEEK });
  const role = new iam.Role(stack, 'CallbackRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  const fn = new lambda.Function(stack, 'Callback', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout: Duration.seconds(10),
    role,
    logGroup,
  });
  Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason: 'A test fixture on the runtime the handlers use' });
  return fn;
}

type Configuration = [string, (stack: Stack) => ServerlessTimerProps];

const configurations: Configuration[] = [
  ['defaults', () => ({})],
  ['a callback, three shards, tracing and a dashboard', (stack) => ({
    callback: callbackIn(stack), shardCount: 3, tracing: true, dashboard: true,
  })],
  ['a customer key', (stack) => ({ encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }) })],
  ['access logs through the account\'s API Gateway role, set by the construct', () => ({ apiCloudWatchRole: true })],
  ['access logs through a role the account already has', () => ({ apiAccessLogs: true })],
];

describe('AwsSolutionsChecks', () => {
  test.each(configurations)('%s: no unacknowledged finding', (_name, propsIn) => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'Stack');
    new ServerlessTimer(stack, 'Timer', propsIn(stack));
    // WHEN
    const report = new AwsSolutionsChecks(app).validateScope(app);
    // THEN
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
  });

  test('every acknowledgment in the construct gives a reason', () => {
    // GIVEN
    const app = new App();
    const stack = new Stack(app, 'Stack');
    // WHEN
    const timer = new ServerlessTimer(stack, 'Timer', { tracing: true });
    // THEN
    const acknowledged = timer.node.findAll().flatMap((c) => c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>)));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect({ id, reason: reason.length > 20 }).toEqual({ id, reason: true });
    }
  });
});
