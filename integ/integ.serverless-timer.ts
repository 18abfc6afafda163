/**
 * Integration test of `ServerlessTimer`: a deployment with two shards, a dead-letter queue and a recorder callback
 * that stores every firing in a table. The assertions create timers through the API handler (API Gateway-shaped
 * events), then wait until the recorder has seen each firing with the right body and attributes, and check that a
 * one-shot timer deleted before its window was dispatched never fires.
 *
 * `npx projen integ:snapshot` refreshes the snapshot offline, `integ:verify` compares it, `integ:deploy` runs it on AWS.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { TimerDeadLetterQueue, ServerlessTimer } from '../src';
import { MessageAttribute } from '../src/core/names';

// No creation stack traces: they would put this machine's paths into the committed snapshot.
const app = new App({
  stackTraces: false,
  context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true },
});
const stack = new Stack(app, 'ServerlessTimerInteg');

const recorderTable = new dynamodb.TableV2(stack, 'Recorder', {
  partitionKey: { name: 'timerId', type: dynamodb.AttributeType.STRING },
  sortKey: { name: 'firingId', type: dynamodb.AttributeType.STRING },
  removalPolicy: RemovalPolicy.DESTROY,
});
const recorder = new lambda.Function(stack, 'RecorderCallback', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline(fs.readFileSync(path.join(__dirname, 'recorder.js'), 'utf8')),
  timeout: Duration.seconds(10),
  environment: {
    RECORDER_TABLE: recorderTable.tableName,
    MESSAGE_ATTRIBUTES: JSON.stringify(MessageAttribute),
  },
  logGroup: new logs.LogGroup(stack, 'RecorderLogs', { retention: logs.RetentionDays.ONE_DAY, removalPolicy: RemovalPolicy.DESTROY }),
});
recorderTable.grantWriteData(recorder);

const timer = new ServerlessTimer(stack, 'Timer', {
  shardCount: 2,
  period: Duration.minutes(1),
  callback: recorder,
  deadLetterQueue: TimerDeadLetterQueue.create({ maxReceiveCount: 3 }),
  removalPolicy: RemovalPolicy.DESTROY,
  logRetention: logs.RetentionDays.ONE_DAY,
});

const integ = new IntegTest(app, 'ServerlessTimerTest', {
  testCases: [stack],
});

/** An API Gateway REST proxy event, as the API would deliver it to the handler. */
function apiEvent(method: 'PUT' | 'GET' | 'DELETE', route: 'periodic' | 'oneshot', id: string, body?: unknown) {
  return {
    resource: `/${route}/{id}`,
    path: `/${route}/${id}`,
    httpMethod: method,
    headers: { 'content-type': 'application/json' },
    multiValueHeaders: {},
    pathParameters: { id },
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: { resourcePath: `/${route}/{id}`, httpMethod: method, stage: 'prod', requestId: `integ-${method}-${id}` },
  };
}

function callApi(method: 'PUT' | 'GET' | 'DELETE', route: 'periodic' | 'oneshot', id: string, body?: unknown) {
  const call = integ.assertions.invokeFunction({
    functionName: timer.apiHandler.functionName,
    payload: JSON.stringify(apiEvent(method, route, id, body)),
  });
  call.expect(ExpectedResult.objectLike({ Payload: Match.serializedJson(Match.objectLike({ statusCode: 200 })) }));
  return call;
}

/** Polls the recorder until the firings of `timerId` match `items`. */
function recorded(timerId: string, expected: Record<string, unknown>) {
  const query = integ.assertions.awsApiCall('DynamoDB', 'query', {
    TableName: recorderTable.tableName,
    KeyConditionExpression: 'timerId = :id',
    ExpressionAttributeValues: { ':id': { S: timerId } },
  });
  query.expect(ExpectedResult.objectLike(expected));
  return query.waitForAssertions({ totalTimeout: Duration.minutes(12), interval: Duration.seconds(20) });
}

const periodicData = { probe: 'periodic', n: 1 };
const oneShotData = { probe: 'oneshot', nested: { ok: true } };

// A one-shot due in 300 s lies beyond what any tick has dispatched (a period plus at most a period), so deleting it
// now must stop it; the sentinel, due a minute later, proves that its window has been dispatched since.
callApi('PUT', 'periodic', 'integ-periodic', { timerCallbackData: periodicData, interval: 60 })
  .next(callApi('PUT', 'oneshot', 'integ-oneshot', { timerCallbackData: oneShotData, delaySeconds: 90 }))
  .next(callApi('PUT', 'oneshot', 'integ-deleted', { timerCallbackData: { probe: 'deleted' }, delaySeconds: 300 }))
  .next(callApi('DELETE', 'oneshot', 'integ-deleted'))
  .next(callApi('PUT', 'oneshot', 'integ-sentinel', { timerCallbackData: { probe: 'sentinel' }, delaySeconds: 360 }))
  .next(recorded('integ-periodic', {
    Items: Match.arrayWith([Match.objectLike({
      kind: { S: 'periodic' },
      body: { S: JSON.stringify(periodicData) },
      firingId: { S: Match.stringLikeRegexp('^integ-periodic@[0-9]+$') },
    })]),
  }))
  .next(recorded('integ-oneshot', {
    Count: 1,
    Items: [Match.objectLike({
      kind: { S: 'oneshot' },
      body: { S: JSON.stringify(oneShotData) },
      firingId: { S: Match.stringLikeRegexp('^integ-oneshot@[0-9]+$') },
    })],
  }))
  .next(recorded('integ-sentinel', { Count: 1 }))
  .next(recorded('integ-deleted', { Count: 0 }))
  .next(callApi('DELETE', 'periodic', 'integ-periodic'));
