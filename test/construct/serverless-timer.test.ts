/**
 * The `ServerlessTimer` construct as CloudFormation: what each prop produces, the permissions each handler gets,
 * the validation of user values, and one template snapshot per major configuration (asset hashes stripped, so a
 * handler edit does not churn them).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ApiAuthorization, ServerlessTimer, ServerlessTimerProps, TimerDeadLetterQueue, TimerMetricName } from '../../src';
import { INDEX_PROJECTED_ATTRIBUTES, TableSchema } from '../../src/aws/table-schema';
import { DEFAULT_CREATE_WITHIN_MS, MAX_DIRECT_SEND_MS, engineConfig, indexLagToleranceFor } from '../../src/core/config';
import { METRIC_DIMENSION_SERVICE, METRIC_NAMESPACE, MetricName } from '../../src/core/names';
import { Envar } from '../../src/envars';

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function callback(stack: Stack, timeout?: Duration): lambda.Function {
  return new lambda.Function(stack, 'Callback', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });'),
    timeout,
  });
}

function synth(props: ServerlessTimerProps | ((stack: Stack) => ServerlessTimerProps) = {}) {
  const stack = newStack();
  const timer = new ServerlessTimer(stack, 'Timer', typeof props === 'function' ? props(stack) : props);
  return { stack, timer, template: Template.fromStack(stack) };
}

/** The logical id of the only resource of a type whose logical id contains `pathPart`. */
function logicalId(template: Template, type: string, pathPart: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.includes(pathPart));
  expect(ids).toHaveLength(1);
  return ids[0];
}

/** Every statement of the policies attached to a role, as sorted `actions on resources [when condition]` lines. */
function permissionsOf(template: Template, roleId: string): string[] {
  return statementsOf(template, roleId).map((s: any) => {
    const actions = ([] as string[]).concat(s.Action).sort().join(',');
    const resources = ([] as unknown[]).concat(s.Resource).map((r) => JSON.stringify(r)).sort().join(' ');
    return `${s.Effect} ${actions} on ${resources}${s.Condition ? ` when ${JSON.stringify(s.Condition)}` : ''}`;
  }).sort();
}

/** The statements of the policies attached to a role. */
function statementsOf(template: Template, roleId: string): any[] {
  const policies = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`));
  return policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
}

/** IAM's `StringLike`: `*` matches any run of characters, `?` any one. */
function iamLike(pattern: string, value: string): boolean {
  const regex = pattern.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${regex}$`).test(value);
}

/**
 * Whether a role may call `action` on the table item whose partition key is `id`, as IAM decides it from the
 * statements' `dynamodb:LeadingKeys` conditions (the only conditions the handlers' table statements carry).
 */
function mayOnItem(template: Template, roleId: string, action: string, id: string): boolean {
  return statementsOf(template, roleId).some((s: any) => {
    if (s.Effect !== 'Allow' || !([] as string[]).concat(s.Action).includes(action)) return false;
    return Object.entries((s.Condition ?? {}) as Record<string, Record<string, string[]>>).every(([operator, keys]) => {
      const patterns = ([] as string[]).concat(keys['dynamodb:LeadingKeys']);
      const like = patterns.some((p) => iamLike(p, id));
      if (operator === 'ForAllValues:StringLike') return like;
      if (operator === 'ForAllValues:StringNotLike') return !like;
      throw new Error(`unexpected condition operator ${operator}`);
    });
  });
}

function envOf(template: Template, functionIdPart: string): Record<string, unknown> {
  const id = logicalId(template, 'AWS::Lambda::Function', functionIdPart);
  return template.toJSON().Resources[id].Properties.Environment.Variables;
}

describe('shards', () => {
  test.each([1, 3, 100])('%i shard(s): one schedule per shard invoking the tick with its shard id, one scheduler role', (shardCount) => {
    // GIVEN / WHEN
    const { template } = synth({ shardCount });
    // THEN
    template.resourceCountIs('AWS::Scheduler::Schedule', shardCount);
    const tickId = logicalId(template, 'AWS::Lambda::Function', 'TickHandler');
    const inputs = Object.values(template.findResources('AWS::Scheduler::Schedule')).map((s) => {
      expect(s.Properties.ScheduleExpression).toBe('rate(1 minute)');
      expect(s.Properties.Target.Arn).toEqual({ 'Fn::GetAtt': [tickId, 'Arn'] });
      return JSON.parse(s.Properties.Target.Input).shardId;
    });
    expect(inputs.sort()).toEqual(Array.from({ length: shardCount }, (_, n) => `shard${n}`).sort());
    const roles = new Set(Object.values(template.findResources('AWS::Scheduler::Schedule')).map((s) => JSON.stringify(s.Properties.Target.RoleArn)));
    expect(roles.size).toBe(1);
    expect(envOf(template, 'TickHandler')[Envar.SHARD_COUNT]).toBe(String(shardCount));
    expect(envOf(template, 'ApiHandler')[Envar.SHARD_COUNT]).toBe(String(shardCount));
  });
});

describe('a typical deployment', () => {
  test('shardCount 4 with a dead-letter queue: four tick schedules, an IAM-only API, a redrive policy, a table with TTL', () => {
    // GIVEN / WHEN
    const { template } = synth({ shardCount: 4, deadLetterQueue: TimerDeadLetterQueue.create({ maxReceiveCount: 3 }) });
    // THEN
    template.resourceCountIs('AWS::Scheduler::Schedule', 4);
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((m) => m.Properties.AuthorizationType)).toEqual(Array(15).fill('AWS_IAM'));
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'DeadLetterQueue'), 'Arn'] }, maxReceiveCount: 3 },
    });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TimeToLiveSpecification: { AttributeName: TableSchema.TTL_ATTRIBUTE, Enabled: true },
    });
  });
});

describe('period', () => {
  test.each([
    [Duration.minutes(1), 'rate(1 minute)', 60, 45_000],
    [Duration.minutes(5), 'rate(5 minutes)', 300, 45_000],
    [Duration.minutes(13), 'rate(13 minutes)', 780, 45_000],
    [Duration.seconds(840), 'rate(14 minutes)', 840, 22_000],
  ])('%s: schedule %s, the tick timeout and the index lag tolerated follow', (period, expression, seconds, lagToleranceMs) => {
    // GIVEN / WHEN
    const { template } = synth({ period });
    // THEN
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: expression });
    const tickId = logicalId(template, 'AWS::Lambda::Function', 'TickHandler');
    expect(template.toJSON().Resources[tickId].Properties.Timeout).toBe(seconds);
    for (const fn of ['ApiHandler', 'TickHandler']) {
      const env = envOf(template, fn);
      expect(env[Envar.PERIOD_SECONDS]).toBe(String(seconds));
      // Derived from the createWithinMs the handlers are given, not from the engine's default.
      const createWithinMs = Number(env[Envar.CREATE_WITHIN_MS]);
      expect(createWithinMs).toBe(15_000);
      expect(env[Envar.INDEX_LAG_TOLERANCE_MS]).toBe(String(indexLagToleranceFor(seconds, createWithinMs)));
      expect(env[Envar.INDEX_LAG_TOLERANCE_MS]).toBe(String(lagToleranceMs));
      // The settings fit SQS's 900 s together: the engine accepts them, and sends nothing further ahead than it can.
      const config = engineConfig({ shardCount: 1, periodSeconds: seconds, indexLagToleranceMs: lagToleranceMs, createWithinMs });
      expect(config.directSendMs).toBeLessThanOrEqual(MAX_DIRECT_SEND_MS);
    }
  });
});

describe('handlers', () => {
  test('both handlers get the table, queue, the same engine settings and the Powertools names', () => {
    // GIVEN / WHEN
    const { template, timer } = synth({ batchConcurrency: 25, oneShotRetention: Duration.hours(2), serviceName: 'timers' });
    // THEN
    const tableId = logicalId(template, 'AWS::DynamoDB::GlobalTable', 'Table');
    const queueId = logicalId(template, 'AWS::SQS::Queue', 'TimerQueue');
    for (const fn of ['ApiHandler', 'TickHandler']) {
      expect(envOf(template, fn)).toEqual(expect.objectContaining({
        [Envar.TABLE_NAME]: { Ref: tableId },
        [Envar.QUEUE_URL]: { Ref: queueId },
        [Envar.BATCH_CONCURRENCY]: '25',
        [Envar.ONESHOT_RETENTION_SECONDS]: '7200',
        [Envar.INDEX_LAG_TOLERANCE_MS]: '45000',
        [Envar.CREATE_WITHIN_MS]: '15000',
        POWERTOOLS_SERVICE_NAME: 'timers',
        POWERTOOLS_METRICS_NAMESPACE: METRIC_NAMESPACE,
        NODE_OPTIONS: '--enable-source-maps',
      }));
    }
    expect(envOf(template, 'TickHandler')).toEqual(envOf(template, 'ApiHandler'));
    template.allResourcesProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x' });
    expect(timer.serviceName).toBe('timers');
  });

  test('each bundled handler ships the source map it names, and the functions turn source maps on', () => {
    // GIVEN / WHEN
    const { template } = synth();
    // THEN the assets hold the map their last line points to, so the setting below has something to read
    for (const asset of ['api/api.lambda', 'tick/tick.lambda']) {
      const dir = path.join(__dirname, '../../assets', asset);
      const code = fs.readFileSync(path.join(dir, 'index.js'), 'utf8');
      expect(code.trimEnd().split('\n').pop()).toBe('//# sourceMappingURL=index.js.map');
      const map = JSON.parse(fs.readFileSync(path.join(dir, 'index.js.map'), 'utf8'));
      expect(map.sources.some((source: string) => source.endsWith(`src/${asset}.ts`))).toBe(true);
    }
    for (const handler of ['ApiHandler', 'TickHandler']) {
      expect(envOf(template, handler)).toEqual(expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }));
    }
  });

  test('the bound on a PUT both handlers are given is the API handler\'s timeout plus 5 s for a write landing late', () => {
    const { template } = synth();
    const apiId = logicalId(template, 'AWS::Lambda::Function', 'ApiHandler');
    const timeoutSeconds = template.toJSON().Resources[apiId].Properties.Timeout;
    expect(timeoutSeconds).toBe(10);
    for (const fn of ['ApiHandler', 'TickHandler']) {
      expect(envOf(template, fn)[Envar.CREATE_WITHIN_MS]).toBe(String((timeoutSeconds + 5) * 1000));
    }
    // The engine's own default assumes the same bound.
    expect((timeoutSeconds + 5) * 1000).toBe(DEFAULT_CREATE_WITHIN_MS);
  });

  test.each([[true, 'Active'], [false, undefined]])('tracing %s', (tracing, mode) => {
    const { template } = synth({ tracing });
    for (const fn of ['ApiHandler', 'TickHandler']) {
      const id = logicalId(template, 'AWS::Lambda::Function', fn);
      expect(template.toJSON().Resources[id].Properties.TracingConfig?.Mode).toBe(mode);
    }
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: tracing });
  });
});

describe('ticks', () => {
  function tickOf(template: Template): any {
    return template.toJSON().Resources[logicalId(template, 'AWS::Lambda::Function', 'TickHandler')];
  }

  test('by default: one full vCPU (1,769 MB), no reserved concurrency, recursion allowed for its continuations', () => {
    // GIVEN / WHEN
    const { template } = synth();
    // THEN
    const tick = tickOf(template).Properties;
    expect(tick.MemorySize).toBe(1769);
    expect(tick.ReservedConcurrentExecutions).toBeUndefined();
    expect(tick.RecursiveLoop).toBe('Allow');
  });

  test.each([128, 3008, 10_240])('tickMemorySize %i', (tickMemorySize) => {
    const { template } = synth({ tickMemorySize });
    expect(tickOf(template).Properties.MemorySize).toBe(tickMemorySize);
  });

  test.each([[1, 2], [4, 8], [4, 100]])('%i shard(s), tickReservedConcurrency %i: reserved on the tick function', (shardCount, reserved) => {
    const { template } = synth({ shardCount, tickReservedConcurrency: reserved });
    expect(tickOf(template).Properties.ReservedConcurrentExecutions).toBe(reserved);
  });

  test('neither a failed tick nor a lost continuation is retried asynchronously, and a stale continuation expires after a period', () => {
    // GIVEN / WHEN
    const { template } = synth({ period: Duration.minutes(3) });
    // THEN
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalId(template, 'AWS::Lambda::Function', 'TickHandler') },
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 180,
    });
  });

  test('the tick may invoke itself, through a policy of its own that the function does not wait for (no dependency cycle)', () => {
    // GIVEN / WHEN
    const { template } = synth({ shardCount: 2 });
    // THEN
    const tickId = logicalId(template, 'AWS::Lambda::Function', 'TickHandler');
    const roleId = logicalId(template, 'AWS::IAM::Role', 'TickHandlerRole');
    const policyId = logicalId(template, 'AWS::IAM::Policy', 'TickContinuationPolicy');
    const policy = template.toJSON().Resources[policyId];
    expect(policy.Properties.Roles).toEqual([{ Ref: roleId }]);
    expect(policy.Properties.PolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [tickId, 'Arn'] } },
    ]);
    expect(tickOf(template).DependsOn ?? []).not.toContain(policyId);
    const defaultPolicy = template.toJSON().Resources[logicalId(template, 'AWS::IAM::Policy', 'TickHandlerRoleDefaultPolicy')];
    expect(JSON.stringify(defaultPolicy)).not.toContain(tickId);
    // No schedule starts a tick before the tick may hand over.
    for (const schedule of Object.values(template.findResources('AWS::Scheduler::Schedule'))) {
      expect(schedule.DependsOn).toContain(policyId);
    }
  });

  test('the schedules are in a schedule group of the construct\'s own, which goes with the stack', () => {
    // GIVEN / WHEN
    const { template, timer } = synth({ shardCount: 3 });
    // THEN
    template.resourceCountIs('AWS::Scheduler::ScheduleGroup', 1);
    const groupId = logicalId(template, 'AWS::Scheduler::ScheduleGroup', 'TickScheduleGroup');
    expect(template.toJSON().Resources[groupId].DeletionPolicy).toBe('Delete');
    const groupName = template.toJSON().Resources[groupId].Properties.Name;
    for (const schedule of Object.values(template.findResources('AWS::Scheduler::Schedule'))) {
      expect(schedule.Properties.GroupName).toBe(groupName);
      // The name is a literal: only DependsOn makes CloudFormation create the group first.
      expect(schedule.DependsOn).toContain(groupId);
    }
    expect(timer.scheduleGroup).toBeDefined();
  });
});

describe('table', () => {
  test('keyed by id, with the schedule index, its projection and the TTL attribute', () => {
    // GIVEN / WHEN
    const { template } = synth();
    // THEN
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: TableSchema.PARTITION_KEY, KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: TableSchema.TTL_ATTRIBUTE, Enabled: true },
      GlobalSecondaryIndexes: [{
        IndexName: TableSchema.INDEX_NAME,
        KeySchema: [
          { AttributeName: TableSchema.INDEX_PARTITION_KEY, KeyType: 'HASH' },
          { AttributeName: TableSchema.INDEX_SORT_KEY, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: INDEX_PROJECTED_ATTRIBUTES },
      }],
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  test.each([
    [{}, 'Retain'],
    [{ removalPolicy: RemovalPolicy.DESTROY }, 'Delete'],
  ] as Array<[ServerlessTimerProps, string]>)('removal policy %j: table, queues and log groups are %s', (props, policy) => {
    const { template } = synth(props);
    for (const type of ['AWS::DynamoDB::GlobalTable', 'AWS::SQS::Queue', 'AWS::Logs::LogGroup']) {
      for (const resource of Object.values(template.findResources(type))) {
        expect({ type, policy: resource.DeletionPolicy }).toEqual({ type, policy });
      }
    }
  });

  test('point-in-time recovery can be turned off', () => {
    const { template } = synth({ pointInTimeRecovery: false });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } })],
    });
  });
});

describe('encryption', () => {
  test('by default: SQS-managed queues, DynamoDB-owned table key, no KMS permission', () => {
    const { template } = synth();
    template.allResourcesProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    const table = Object.values(template.findResources('AWS::DynamoDB::GlobalTable'))[0];
    expect(table.Properties.SSESpecification?.SSEEnabled ?? false).toBe(false);
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('kms:');
  });

  test('a customer key encrypts table and queues, and both handlers may use it', () => {
    // GIVEN
    let keyId = '';
    // WHEN
    const { template } = synth((stack) => {
      const key = new kms.Key(stack, 'Key');
      keyId = stack.getLogicalId(key.node.defaultChild as kms.CfnKey);
      return { encryptionKey: key };
    });
    // THEN
    template.allResourcesProperties('AWS::SQS::Queue', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { SSESpecification: { SSEEnabled: true, SSEType: 'KMS' } });
    for (const role of ['ApiHandlerRole', 'TickHandlerRole']) {
      expect(permissionsOf(template, logicalId(template, 'AWS::IAM::Role', role)))
        .toContain(`Allow kms:Decrypt,kms:GenerateDataKey on ${JSON.stringify({ 'Fn::GetAtt': [keyId, 'Arn'] })}`);
    }
  });
});

describe('least privilege', () => {
  test('each handler may do exactly what it does, on exactly its resources', () => {
    // GIVEN / WHEN
    const { template } = synth();
    // THEN
    const tableArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(template, 'AWS::DynamoDB::GlobalTable', 'Table'), 'Arn'] });
    const indexArn = JSON.stringify({
      'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(template, 'AWS::DynamoDB::GlobalTable', 'Table'), 'Arn'] }, `/index/${TableSchema.INDEX_NAME}`]],
    });
    const queueArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'TimerQueue'), 'Arn'] });
    const logs = (fn: string) => JSON.stringify({ 'Fn::GetAtt': [logicalId(template, 'AWS::Logs::LogGroup', `${fn}Logs`), 'Arn'] });
    const notBookkeeping = JSON.stringify({ 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': ['#*'] } });
    const registryOnly = JSON.stringify({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${TableSchema.INTERVAL_ITEM_PREFIX}*`] } });
    expect(permissionsOf(template, logicalId(template, 'AWS::IAM::Role', 'ApiHandlerRole'))).toEqual([
      `Allow dynamodb:DeleteItem,dynamodb:GetItem,dynamodb:PutItem on ${tableArn} when ${notBookkeeping}`,
      `Allow dynamodb:UpdateItem on ${tableArn} when ${registryOnly}`,
      `Allow logs:CreateLogStream,logs:PutLogEvents on ${logs('ApiHandler')}`,
      `Allow sqs:SendMessage on ${queueArn}`,
    ]);
    const tickArn = JSON.stringify({ 'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'TickHandler'), 'Arn'] });
    expect(permissionsOf(template, logicalId(template, 'AWS::IAM::Role', 'TickHandlerRole'))).toEqual([
      `Allow dynamodb:GetItem,dynamodb:UpdateItem on ${tableArn}`,
      `Allow dynamodb:Query on ${indexArn}`,
      `Allow lambda:InvokeFunction on ${tickArn}`,
      `Allow logs:CreateLogStream,logs:PutLogEvents on ${logs('TickHandler')}`,
      `Allow sqs:SendMessage on ${queueArn}`,
    ]);
    template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
  });

  test('the API may update the interval registry items alone, and never reach a shard\'s state item', () => {
    // GIVEN / WHEN
    const { template } = synth();
    const api = logicalId(template, 'AWS::IAM::Role', 'ApiHandlerRole');
    const tick = logicalId(template, 'AWS::IAM::Role', 'TickHandlerRole');
    const registry = `${TableSchema.INTERVAL_ITEM_PREFIX}shard3#60`;
    const shardState = `${TableSchema.SHARD_ITEM_PREFIX}shard3`;
    // THEN: the API's calls, as aws/dynamo-store.ts makes them for a PUT, a GET and a DELETE
    expect(mayOnItem(template, api, 'dynamodb:UpdateItem', registry)).toBe(true);
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem']) {
      expect(mayOnItem(template, api, action, 'order-42:reminder@eu.1_x')).toBe(true);
    }
    // Nothing else: no update of a timer (retiring one is the tick's), nothing on a shard's state item.
    expect(mayOnItem(template, api, 'dynamodb:UpdateItem', 'order-42')).toBe(false);
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']) {
      expect(mayOnItem(template, api, action, shardState)).toBe(false);
    }
    for (const action of ['dynamodb:PutItem', 'dynamodb:DeleteItem']) expect(mayOnItem(template, api, action, registry)).toBe(false);
    // The tick keeps what it writes: its shard's state, the registry and the timers it retires.
    for (const id of [shardState, registry, 'order-42']) expect(mayOnItem(template, tick, 'dynamodb:UpdateItem', id)).toBe(true);
  });

  test('the scheduler role may only invoke the tick handler', () => {
    const { template } = synth({ shardCount: 2 });
    const tickArn = { 'Fn::GetAtt': [logicalId(template, 'AWS::Lambda::Function', 'TickHandler'), 'Arn'] };
    const statements = permissionsOf(template, logicalId(template, 'AWS::IAM::Role', 'TickSchedulerRole'));
    expect(statements).toEqual([
      `Allow lambda:InvokeFunction on ${JSON.stringify(tickArn)} ${JSON.stringify({ 'Fn::Join': ['', [tickArn, ':*']] })}`,
    ]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        })],
      },
    });
  });
});

describe('API', () => {
  test('IAM authorization on every method of /periodic/{id}, /oneshot/{id} and /cron/{id}, and their pause and resume', () => {
    // GIVEN / WHEN
    const { template } = synth();
    // THEN
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods).toHaveLength(15);
    for (const method of methods) {
      expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
      expect(method.Properties.RequestParameters).toEqual({ 'method.request.path.id': true });
      expect(method.Properties.Integration.Type).toBe('AWS_PROXY');
    }
    expect(methods.map((m) => m.Properties.HttpMethod).sort())
      .toEqual(['DELETE', 'DELETE', 'DELETE', 'GET', 'GET', 'GET', 'POST', 'POST', 'POST', 'POST', 'POST', 'POST', 'PUT', 'PUT', 'PUT']);
    const paths = Object.values(template.findResources('AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart).sort();
    expect(paths).toEqual(['cron', 'oneshot', 'pause', 'pause', 'pause', 'periodic', 'resume', 'resume', 'resume', '{id}', '{id}', '{id}']);
  });

  test('an authorizer replaces IAM on every method', () => {
    const { template } = synth((stack) => {
      const fn = callback(stack);
      return { apiAuthorization: ApiAuthorization.fromAuthorizer(new apigw.TokenAuthorizer(stack, 'Authorizer', { handler: fn })) };
    });
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((m) => m.Properties.AuthorizationType)).toEqual(Array(15).fill('CUSTOM'));
    expect(methods.every((m) => m.Properties.AuthorizerId)).toBe(true);
  });

  test('ApiAuthorization.none() leaves the methods open', () => {
    const { template } = synth({ apiAuthorization: ApiAuthorization.none() });
    template.allResourcesProperties('AWS::ApiGateway::Method', { AuthorizationType: 'NONE' });
  });

  test('grantManageTimers allows execute-api:Invoke on each method of the three routes, and nothing else', () => {
    // GIVEN
    const stack = newStack();
    const timer = new ServerlessTimer(stack, 'Timer');
    const role = new iam.Role(stack, 'Client', { assumedBy: new iam.AccountRootPrincipal() });
    // WHEN
    timer.grantManageTimers(role);
    // THEN
    const template = Template.fromStack(stack);
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))
      .find((p) => JSON.stringify(p.Properties.Roles).includes(logicalId(template, 'AWS::IAM::Role', 'Client')))!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    expect(statements[0].Action).toBe('execute-api:Invoke');
    const api = logicalId(template, 'AWS::ApiGateway::RestApi', 'Api');
    const stage = logicalId(template, 'AWS::ApiGateway::Stage', 'Api');
    const arns = statements[0].Resource.map((r: any) => r['Fn::Join'][1].map((p: any) => (typeof p === 'string' ? p : `<${p.Ref}>`)).join(''));
    const arn = (route: string) => `arn:<AWS::Partition>:execute-api:eu-west-1:111111111111:<${api}>/<${stage}>/${route}`;
    expect(arns.sort()).toEqual([
      ...['DELETE/cron', 'DELETE/oneshot', 'DELETE/periodic', 'GET/cron', 'GET/oneshot', 'GET/periodic'].map((route) => arn(`${route}/*`)),
      ...['cron', 'oneshot', 'periodic'].flatMap((route) => [arn(`POST/${route}/*/pause`), arn(`POST/${route}/*/resume`)]),
      ...['PUT/cron', 'PUT/oneshot', 'PUT/periodic'].map((route) => arn(`${route}/*`)),
    ]);
  });

  test('grantReadTimers allows execute-api:Invoke on the GET methods alone', () => {
    const stack = newStack();
    const timer = new ServerlessTimer(stack, 'Timer');
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.AccountRootPrincipal() });
    timer.grantReadTimers(role);
    const template = Template.fromStack(stack);
    const policy = Object.values(template.findResources('AWS::IAM::Policy'))
      .find((p) => JSON.stringify(p.Properties.Roles).includes(logicalId(template, 'AWS::IAM::Role', 'Reader')))!;
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toHaveLength(1);
    const arns = statements[0].Resource.map((r: any) => r['Fn::Join'][1].filter((p: any) => typeof p === 'string').join(''));
    expect(arns.map((a: string) => a.slice(a.lastIndexOf('/', a.length - 3) - 3)).sort()).toEqual(['GET/cron/*', 'GET/oneshot/*', 'GET/periodic/*']);
  });

  test('by default the stage needs nothing a fresh account lacks: no access logs, and the account\'s API Gateway settings untouched', () => {
    const { template } = synth();
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(stage).toHaveLength(1);
    expect(stage[0].Properties.AccessLogSetting).toBeUndefined();
    expect(stage[0].Properties.MethodSettings).toBeUndefined();
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup')).filter((id) => id.includes('ApiAccessLogs'))).toEqual([]);
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).not.toContain('apigateway.amazonaws.com');
  });

  test('apiAccessLogs writes the stage\'s access logs to a log group of the construct, leaving the account\'s role alone', () => {
    const { template } = synth({ apiAccessLogs: true, logRetention: RetentionDays.ONE_WEEK });
    const logGroup = logicalId(template, 'AWS::Logs::LogGroup', 'ApiAccessLogs');
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [logGroup, 'Arn'] }, Format: Match.stringLikeRegexp('requestId') },
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('apiCloudWatchRole sets a role of its own as the account\'s API Gateway role before the stage, keeps it, and turns on access logs', () => {
    const { template } = synth({ apiCloudWatchRole: true });
    const accounts = template.findResources('AWS::ApiGateway::Account');
    expect(Object.keys(accounts)).toHaveLength(1);
    const [accountId, account] = Object.entries(accounts)[0];
    const roleId = account.Properties.CloudWatchRoleArn['Fn::GetAtt'][0];
    const role = template.toJSON().Resources[roleId];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } }),
    ]);
    // The actions of AmazonAPIGatewayPushToCloudWatchLogs, which AWS documents for this role
    expect(role.Properties.Policies).toEqual([{
      PolicyName: 'PushToCloudWatchLogs',
      PolicyDocument: expect.objectContaining({
        Statement: [expect.objectContaining({
          Effect: 'Allow',
          Resource: '*',
          Action: expect.arrayContaining(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams',
            'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents']),
        })],
      }),
    }]);
    expect(role.DeletionPolicy).toBe('Retain');
    expect(account.DeletionPolicy).toBe('Retain');
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(stage.DependsOn).toContain(accountId);
    expect(account.DependsOn).toEqual([logicalId(template, 'AWS::ApiGateway::RestApi', 'Api')]);
    expect(stage.Properties.AccessLogSetting.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalId(template, 'AWS::Logs::LogGroup', 'ApiAccessLogs'), 'Arn'] });
  });

  test('apiAccessLogs: false keeps the stage without access logs even where the construct sets the account\'s role', () => {
    const { template } = synth({ apiCloudWatchRole: true, apiAccessLogs: false });
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(stage.Properties.AccessLogSetting).toBeUndefined();
  });
});

describe('callback queue and dead-letter queue', () => {
  test('by default a dead-letter queue receives a firing after 5 receives and keeps it 14 days', () => {
    // GIVEN / WHEN
    const { template, timer } = synth();
    // THEN
    template.resourceCountIs('AWS::SQS::Queue', 2);
    const dlqId = logicalId(template, 'AWS::SQS::Queue', 'DeadLetterQueue');
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 24 * 3600 });
    expect(timer.deadLetterSqsQueue).toBeDefined();
    template.resourceCountIs('AWS::SQS::QueuePolicy', 2);
  });

  test('TimerDeadLetterQueue.create({ maxReceiveCount }) sets the count', () => {
    const { template } = synth({ deadLetterQueue: TimerDeadLetterQueue.create({ maxReceiveCount: 12 }) });
    template.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 12 }) });
  });

  test('TimerDeadLetterQueue.fromQueue uses the given queue', () => {
    let existing: sqs.Queue | undefined;
    const { template, timer } = synth((stack) => {
      existing = new sqs.Queue(stack, 'Existing');
      return { deadLetterQueue: TimerDeadLetterQueue.fromQueue(existing, 3) };
    });
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'Existing'), 'Arn'] }, maxReceiveCount: 3 },
    });
    expect(timer.deadLetterSqsQueue).toBe(existing);
  });

  test('TimerDeadLetterQueue.none(): no redrive, no dead-letter alarm, and metricDeadLetters says why it cannot exist', () => {
    const { template, timer } = synth({ deadLetterQueue: TimerDeadLetterQueue.none() });
    template.resourceCountIs('AWS::SQS::Queue', 1);
    template.resourcePropertiesCountIs('AWS::SQS::Queue', { RedrivePolicy: Match.anyValue() }, 0);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 6);
    expect(timer.deadLetterAlarm).toBeUndefined();
    expect(timer.deadLetterSqsQueue).toBeUndefined();
    expect(() => timer.metricDeadLetters()).toThrow(/has no dead-letter queue \(TimerDeadLetterQueue\.none\(\)\)/);
  });

  test.each([
    ['no callback', undefined, undefined, 30],
    ['a callback with the default 3 s timeout', 'default', undefined, 30],
    ['a 10 s callback', Duration.seconds(10), undefined, 60],
    ['a 2 min callback', Duration.minutes(2), undefined, 720],
    ['a 15 min callback', Duration.minutes(15), undefined, 5400],
    ['an explicit timeout', Duration.seconds(10), Duration.seconds(45), 45],
  ] as Array<[string, Duration | 'default' | undefined, Duration | undefined, number]>)(
    'visibility timeout with %s', (_name, callbackTimeout, visibilityTimeout, expected) => {
      // GIVEN / WHEN
      const { template } = synth((stack) => ({
        callback: callbackTimeout ? callback(stack, callbackTimeout === 'default' ? undefined : callbackTimeout) : undefined,
        visibilityTimeout,
      }));
      // THEN
      template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: expected, RedrivePolicy: Match.anyValue() });
    });

  test('an imported callback, whose timeout is unknown, gets six times the longest Lambda timeout', () => {
    const { template } = synth((stack) => ({
      callback: lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:eu-west-1:111111111111:function:cb'),
    }));
    template.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 6 * 900, RedrivePolicy: Match.anyValue() });
  });

  test('the callback reads the queue with partial batch responses and the tuning given', () => {
    // GIVEN / WHEN
    const { template } = synth((stack) => ({
      callback: callback(stack),
      callbackBatchSize: 50,
      callbackMaxBatchingWindow: Duration.seconds(2),
      callbackMaxConcurrency: 20,
    }));
    // THEN
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'TimerQueue'), 'Arn'] },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 2,
      ScalingConfig: { MaximumConcurrency: 20 },
    });
  });
});

describe('metrics, alarms and dashboard', () => {
  test.each([
    ['metricFiringsDispatched', MetricName.FIRINGS_DISPATCHED, 'Sum'],
    ['metricLateFirings', MetricName.LATE_FIRINGS, 'Sum'],
    ['metricDispatchLag', MetricName.DISPATCH_LAG, 'Maximum'],
    ['metricFiringsRejected', MetricName.FIRINGS_REJECTED, 'Sum'],
    ['metricTickContinuations', MetricName.TICK_CONTINUATIONS, 'Sum'],
    ['metricShardWatermarkLag', MetricName.SHARD_WATERMARK_LAG, 'Maximum'],
  ] as const)('%s reads %s of this timer\'s service', (method, metricName, statistic) => {
    const { timer } = synth({ serviceName: 'svc', period: Duration.minutes(2) });
    const metric = timer[method]();
    expect(metric.namespace).toBe(METRIC_NAMESPACE);
    expect(metric.metricName).toBe(metricName);
    expect(metric.dimensions).toEqual({ [METRIC_DIMENSION_SERVICE]: 'svc' });
    expect(metric.statistic).toBe(statistic);
    expect(metric.period.toSeconds()).toBe(120);
  });

  test('metric() takes every name the handlers write, as the public TimerMetricName', () => {
    // The handlers write core/names.ts; the public enum must name exactly those metrics.
    expect(Object.entries(TimerMetricName).sort()).toEqual(Object.entries(MetricName).sort());
    const { timer } = synth({ serviceName: 'svc' });
    const metric = timer.metric(TimerMetricName.TICK_DURATION, { statistic: 'p99' });
    expect([metric.namespace, metric.metricName, metric.statistic, metric.dimensions]).toEqual([
      METRIC_NAMESPACE, 'TickDuration', 'p99', { [METRIC_DIMENSION_SERVICE]: 'svc' },
    ]);
  });

  test('two timers in one stack get different service names', () => {
    const stack = newStack();
    const a = new ServerlessTimer(stack, 'A');
    const b = new ServerlessTimer(stack, 'B');
    expect(a.serviceName).not.toBe(b.serviceName);
  });

  test('alarms on failing ticks, late firings and dead letters', () => {
    // GIVEN / WHEN
    const { template } = synth();
    // THEN
    template.resourceCountIs('AWS::CloudWatch::Alarm', 7);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 1,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(template, 'AWS::Lambda::Function', 'TickHandler') } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: MetricName.LATE_FIRINGS, Namespace: METRIC_NAMESPACE, Threshold: 1 });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(template, 'AWS::SQS::Queue', 'DeadLetterQueue'), 'QueueName'] } }],
    });
  });

  test.each([1, 7])('heartbeat with %i shard(s): fewer tick invocations than shards in 2 of 3 periods, no data breaching', (shardCount) => {
    // GIVEN / WHEN
    const { template, timer } = synth({ shardCount, period: Duration.minutes(2) });
    // THEN
    const alarm = template.toJSON().Resources[logicalId(template, 'AWS::CloudWatch::Alarm', 'TickHeartbeatAlarm')].Properties;
    expect(alarm).toEqual(expect.objectContaining({
      Namespace: 'AWS/Lambda',
      MetricName: 'Invocations',
      Statistic: 'Sum',
      Period: 120,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(template, 'AWS::Lambda::Function', 'TickHandler') } }],
      Threshold: shardCount,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'breaching',
    }));
    expect(timer.tickHeartbeatAlarm).toBeDefined();
  });

  test('the scheduler alarm adds target errors and dropped invocations of the construct\'s schedule group', () => {
    // GIVEN / WHEN
    const { template, timer } = synth();
    // THEN
    const alarm = template.toJSON().Resources[logicalId(template, 'AWS::CloudWatch::Alarm', 'SchedulerErrorsAlarm')].Properties;
    expect(alarm).toEqual(expect.objectContaining({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    }));
    const metrics = Object.fromEntries(alarm.Metrics.filter((m: any) => m.MetricStat)
      .map((m: any) => [m.MetricStat.Metric.MetricName, m.MetricStat]));
    const groupId = logicalId(template, 'AWS::Scheduler::ScheduleGroup', 'TickScheduleGroup');
    const groupName = template.toJSON().Resources[groupId].Properties.Name;
    for (const name of ['TargetErrorCount', 'InvocationDroppedCount']) {
      expect(metrics[name]).toEqual({
        Metric: { Namespace: 'AWS/Scheduler', MetricName: name, Dimensions: [{ Name: 'ScheduleGroup', Value: groupName }] },
        Period: 60,
        Stat: 'Sum',
      });
    }
    expect(alarm.Metrics.find((m: any) => m.Expression).Expression).toBe('FILL(targetErrors, 0) + FILL(dropped, 0)');
    expect(timer.schedulerErrorsAlarm).toBeDefined();
  });

  test.each([[1, 60_000], [14, 840_000]])('a %i-minute period: a shard whose watermark lags more than a period in 2 of 3 periods alarms, no data not breaching', (minutes, thresholdMs) => {
    // GIVEN / WHEN
    const { template, timer } = synth({ serviceName: 'svc', period: Duration.minutes(minutes) });
    // THEN
    const alarm = template.toJSON().Resources[logicalId(template, 'AWS::CloudWatch::Alarm', 'ShardLagAlarm')].Properties;
    expect(alarm).toEqual(expect.objectContaining({
      Namespace: METRIC_NAMESPACE,
      MetricName: MetricName.SHARD_WATERMARK_LAG,
      Dimensions: [{ Name: METRIC_DIMENSION_SERVICE, Value: 'svc' }],
      Statistic: 'Maximum',
      Period: minutes * 60,
      Threshold: thresholdMs,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
    }));
    expect(timer.shardLagAlarm).toBeDefined();
  });

  test('the dashboard graphs the shard watermark lag', () => {
    const { template } = synth({ dashboard: true });
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    expect(body).toContain(MetricName.SHARD_WATERMARK_LAG);
  });

  test('a firing the queue refused for good pages at once', () => {
    const { template, timer } = synth({ serviceName: 'svc' });
    const alarm = template.toJSON().Resources[logicalId(template, 'AWS::CloudWatch::Alarm', 'FiringsRejectedAlarm')].Properties;
    expect(alarm).toEqual(expect.objectContaining({
      Namespace: METRIC_NAMESPACE,
      MetricName: MetricName.FIRINGS_REJECTED,
      Dimensions: [{ Name: METRIC_DIMENSION_SERVICE, Value: 'svc' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    }));
    expect(timer.firingsRejectedAlarm).toBeDefined();
  });

  test('the dashboard shows the state of every alarm', () => {
    const { template } = synth({ dashboard: true });
    const body = JSON.stringify(Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(7);
    for (const alarm of alarms) expect(body).toContain(alarm);
  });

  test.each([[true, 1], [false, 0]])('dashboard %s', (dashboard, count) => {
    const { template, timer } = synth({ dashboard });
    template.resourceCountIs('AWS::CloudWatch::Dashboard', count);
    expect(timer.cloudWatchDashboard !== undefined).toBe(dashboard);
  });
});

describe('validation', () => {
  test.each([
    ['shardCount 0', { shardCount: 0 }, 'shardCount must be a whole number from 1 to 100, got 0'],
    ['shardCount 101', { shardCount: 101 }, 'shardCount must be a whole number from 1 to 100, got 101'],
    ['shardCount 1.5', { shardCount: 1.5 }, 'shardCount must be a whole number from 1 to 100, got 1.5'],
    ['period 30 s', { period: Duration.seconds(30) }, 'period must be whole minutes from 1 to 14 minutes (60 to 840 seconds), got 30 seconds'],
    ['period 90 s', { period: Duration.seconds(90) }, 'period must be whole minutes from 1 to 14 minutes (60 to 840 seconds), got 90 seconds'],
    ['period 15 min', { period: Duration.minutes(15) }, 'period must be whole minutes from 1 to 14 minutes (60 to 840 seconds), got 900 seconds'],
    ['batchConcurrency 0', { batchConcurrency: 0 }, 'batchConcurrency must be a whole number from 1 to 1000, got 0'],
    ['batchConcurrency 1001', { batchConcurrency: 1001 }, 'batchConcurrency must be a whole number from 1 to 1000, got 1001'],
    ['visibilityTimeout 13 h', { visibilityTimeout: Duration.hours(13) }, 'visibilityTimeout must be from 0 to 43200 seconds, got 46800 seconds'],
    ['oneShotRetention 10 s', { oneShotRetention: Duration.seconds(10) }, 'oneShotRetention must be from 60 to 31536000 seconds, got 10 seconds'],
    ['tickMemorySize 127', { tickMemorySize: 127 }, 'tickMemorySize must be a whole number from 128 to 10240, got 127'],
    ['tickMemorySize 10241', { tickMemorySize: 10_241 }, 'tickMemorySize must be a whole number from 128 to 10240, got 10241'],
    ['tickReservedConcurrency 0', { tickReservedConcurrency: 0 }, 'tickReservedConcurrency must be a whole number of at least 2 (twice shardCount, 1), got 0'],
    ['tickReservedConcurrency 5 for 3 shards', { shardCount: 3, tickReservedConcurrency: 5 },
      'tickReservedConcurrency must be a whole number of at least 6 (twice shardCount, 3), got 5'],
    ['callback tuning without a callback', { callbackBatchSize: 5 }, 'got them without a callback: pass callback too, or drop them'],
    ['maxReceiveCount 0', { deadLetterQueue: TimerDeadLetterQueue.create({ maxReceiveCount: 0 }) }, 'deadLetterQueue maxReceiveCount must be a whole number from 1 to 1000, got 0'],
    ['maxReceiveCount 1001 on an existing queue', (stack: Stack) => ({ deadLetterQueue: TimerDeadLetterQueue.fromQueue(new sqs.Queue(stack, 'Q'), 1001) }),
      'deadLetterQueue maxReceiveCount must be a whole number from 1 to 1000, got 1001'],
    ['a FIFO dead-letter queue', (stack: Stack) => ({ deadLetterQueue: TimerDeadLetterQueue.fromQueue(new sqs.Queue(stack, 'Q', { fifo: true }), 3) }),
      'is a FIFO queue, but the callback queue is a standard queue'],
    ['dead-letter retention 30 s', { deadLetterQueue: TimerDeadLetterQueue.create({ retentionPeriod: Duration.seconds(30) }) },
      'deadLetterQueue retentionPeriod must be from 60 seconds to 14 days, got 30 seconds'],
    ['callbackBatchSize 11 without a window', (stack: Stack) => ({ callback: callback(stack), callbackBatchSize: 11 }),
      'callbackBatchSize must be a whole number from 1 to 10, got 11: above 10, SQS event sources need a callbackMaxBatchingWindow'],
    ['callbackBatchSize 10001 with a window', (stack: Stack) => ({ callback: callback(stack), callbackBatchSize: 10001, callbackMaxBatchingWindow: Duration.seconds(1) }),
      'callbackBatchSize must be a whole number from 1 to 10000, got 10001'],
    ['callbackMaxConcurrency 1', (stack: Stack) => ({ callback: callback(stack), callbackMaxConcurrency: 1 }),
      'callbackMaxConcurrency must be a whole number from 2 to 1000, got 1'],
    ['callbackMaxBatchingWindow 6 min', (stack: Stack) => ({ callback: callback(stack), callbackMaxBatchingWindow: Duration.minutes(6) }),
      'callbackMaxBatchingWindow must be from 0 to 300 seconds, got 360 seconds'],
    ['visibilityTimeout below the callback timeout', (stack: Stack) => ({ callback: callback(stack, Duration.seconds(60)), visibilityTimeout: Duration.seconds(30) }),
      'visibilityTimeout must be at least the callback\'s timeout (60 seconds), got 30 seconds'],
  ] as Array<[string, ServerlessTimerProps | ((stack: Stack) => ServerlessTimerProps), string]>)('%s is refused', (_name, props, message) => {
    // GIVEN
    const stack = newStack();
    // WHEN / THEN
    expect(() => new ServerlessTimer(stack, 'Timer', typeof props === 'function' ? props(stack) : props))
      .toThrow(message);
  });
});

/** Replaces content hashes (asset file names, hashed ids) so snapshots survive handler edits. */
function withoutAssetHashes(template: Template): unknown {
  return JSON.parse(JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}/g, 'ASSET-HASH'));
}

describe('snapshots', () => {
  test.each([
    ['defaults', () => ({})],
    ['three shards, a callback, a 5-minute period, tracing and a dashboard', (stack: Stack) => ({
      shardCount: 3, period: Duration.minutes(5), callback: callback(stack, Duration.seconds(20)), tracing: true, dashboard: true,
    })],
    ['a customer key and no dead-letter queue', (stack: Stack) => ({
      encryptionKey: new kms.Key(stack, 'Key'), deadLetterQueue: TimerDeadLetterQueue.none(), removalPolicy: RemovalPolicy.DESTROY,
    })],
  ] as Array<[string, (stack: Stack) => ServerlessTimerProps]>)('%s', (_name, props) => {
    const { template } = synth(props);
    expect(withoutAssetHashes(template)).toMatchSnapshot();
  });
});
