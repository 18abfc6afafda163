/**
 * The API Lambda on moto: refused requests store and send nothing, event decoding (base64 bodies, encoded ids),
 * 5xx answers that leak nothing, the create path's writes (none on a per-shard item), and the real handler modules
 * (API and tick) configured through their environment, with their SDK clients and the tick's continuation.
 */
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { ListQueuesCommand } from '@aws-sdk/client-sqs';
import { apiEvent, createRig, dynamoClientFor, parse } from './harness';
import { handler as apiLambda } from '../../src/api/api.lambda';
import { awsClientsFromEnv, continueTickFromEnv, engineConfigFromEnv, lambdaClientFromEnv, settingsFromEnv } from '../../src/aws/engine-from-env';
import { createApiHandler, shardIdOf } from '../../src/aws/handlers';
import { Limits, METRIC_NAMESPACE, MetricName, TimerStore, engineConfig, noMetrics, shardOf } from '../../src/core';
import { Envar } from '../../src/envars';
import { handler as tickLambda } from '../../src/tick/tick.lambda';
import { createQueue, createTimerTable, useMoto } from '../support/moto';

const moto = useMoto();
const T0 = Date.UTC(2030, 0, 1, 12, 0, 0);

describe('API handler: refused requests', () => {
  const big = 'x'.repeat(Limits.MAX_BODY_BYTES);
  const cases: Array<[string, 'periodic' | 'oneshot', string, string, number, RegExp]> = [
    ['malformed JSON', 'periodic', 'a', '{"timerCallbackData": ', 400, /not valid JSON/],
    ['an empty body', 'periodic', 'a', '', 400, /empty/],
    ['a missing timerCallbackData', 'periodic', 'a', '{"interval": 60}', 400, /"timerCallbackData" is required/],
    ['an unknown field', 'oneshot', 'a', '{"timerCallbackData": 1, "delay": 5}', 400, /unknown field.*"delay"/],
    ['an id with a space', 'periodic', 'bad id', '{"timerCallbackData": 1}', 400, /invalid timer id "bad id"/],
    ['an id of 129 characters', 'periodic', 'i'.repeat(129), '{"timerCallbackData": 1}', 400, /129 characters/],
    ['an interval of 0', 'periodic', 'a', '{"timerCallbackData": 1, "interval": 0}', 400, /"interval" must be .* from 1 to 604800.*got 0/],
    ['an interval over 7 days', 'periodic', 'a', '{"timerCallbackData": 1, "interval": 604801}', 400, /"interval".*got 604801/],
    ['an offset equal to the interval', 'periodic', 'a', '{"timerCallbackData": 1, "interval": 60, "offset": 60}', 400, /"offset".*from 0 to 59.*got 60/],
    ['a fractional offset', 'periodic', 'a', '{"timerCallbackData": 1, "interval": 60, "offset": 1.5}', 400, /"offset".*got 1.5/],
    ['an at in the past', 'oneshot', 'a', `{"timerCallbackData": 1, "at": "${new Date(T0 - 60_000).toISOString()}"}`, 400, /60 s in the past/],
    ['both at and delaySeconds', 'oneshot', 'a', `{"timerCallbackData": 1, "at": "${new Date(T0 + 60_000).toISOString()}", "delaySeconds": 5}`, 400, /not both/],
    ['neither at nor delaySeconds', 'oneshot', 'a', '{"timerCallbackData": 1}', 400, /needs "at".*or "delaySeconds"/],
    ['an oversized body', 'periodic', 'a', `{"timerCallbackData": "${big}"}`, 413, /at most \d+ are accepted/],
    ['oversized callback data', 'oneshot', 'a', `{"timerCallbackData": "${'y'.repeat(Limits.MAX_CALLBACK_DATA_BYTES)}", "delaySeconds": 5}`, 413, /fit one SQS message/],
  ];

  test.each(cases)('%s answers 4xx with a JSON message and stores nothing', async (_name, kind, id, body, status, message) => {
    const rig = await createRig(moto.server(), { t0: T0 });

    const answer = parse(await rig.api(apiEvent('PUT', `/${kind}/{id}`, id, body)));

    expect(answer.statusCode).toBe(status);
    expect(answer.body).toEqual({ message: expect.stringMatching(message) });
    expect(await rig.scanIds()).toEqual([]);
    expect(rig.queue.sent).toEqual([]);
  });

  test('an unsupported method answers 405, an unknown timer 404, both as JSON', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    expect(parse(await rig.api(apiEvent('PATCH', '/periodic/{id}', 'a', '{}')))).toEqual({ statusCode: 405, body: { message: expect.stringMatching(/PUT, GET or DELETE/) } });
    expect(await rig.request('GET', 'oneshot', 'nope')).toEqual({ statusCode: 404, body: { message: expect.stringMatching(/no oneshot timer/) } });
    expect(await rig.request('DELETE', 'periodic', 'nope')).toMatchObject({ statusCode: 404 });
    expect(await rig.scanIds()).toEqual([]);
  });
});

describe('API handler: event decoding and failures', () => {
  test('a base64 body and an id with reserved characters round-trip', async () => {
    const rig = await createRig(moto.server(), { t0: T0 });
    const id = 'user:42@tenant.eu';
    const data = { greeting: 'grüße' };

    const put = parse(await rig.api(apiEvent('PUT', '/periodic/{id}', id, JSON.stringify({ timerCallbackData: data, interval: 300 }), true)));

    expect(put).toMatchObject({ statusCode: 200, body: { id, shardId: 'shard0', interval: 300, timerCallbackData: data } });
    expect(put.body.timeShardId).toBe(`${put.body.offset}:${id}`);
    // The timer and its interval's registry item: no shard item is written on the create path.
    expect(await rig.scanIds()).toEqual(['#iv#shard0#300', id]);
    expect((await rig.request('GET', 'periodic', id)).body.timerCallbackData).toEqual(data);
  });

  test('creates write no per-shard item and read none: one registry write per interval per container', async () => {
    const dynamodb = dynamoClientFor(moto.server());
    const requests: Array<[string, string, boolean]> = [];
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const input = args.input as { Key?: { id?: { S?: string } }; Item?: { id?: { S?: string } }; ConsistentRead?: boolean };
        requests.push([context.commandName ?? '', input.Key?.id?.S ?? input.Item?.id?.S ?? '', input.ConsistentRead === true]);
        return next(args);
      },
      { step: 'initialize', name: 'recordRequests' },
    );
    const rig = await createRig(moto.server(), { t0: T0, dynamodb, shardCount: 2 });

    for (let i = 0; i < 12; i++) {
      const put = await rig.request('PUT', 'periodic', `p${i}`, { timerCallbackData: i, interval: i % 2 === 0 ? 60 : 300 });
      expect(put.statusCode).toBe(200);
    }
    for (let i = 0; i < 4; i++) expect((await rig.request('PUT', 'oneshot', `o${i}`, { timerCallbackData: i, delaySeconds: 600 })).statusCode).toBe(200);

    expect(requests.filter(([, id]) => id.startsWith('#shard#'))).toEqual([]);
    const registryWrites = requests.filter(([, id]) => id.startsWith('#iv#')).map(([name, id]) => `${name} ${id}`).sort();
    // Once per (shard, interval) in use: this container remembers what it wrote for an hour.
    const inUse = new Set(Array.from({ length: 12 }, (_, i) => `UpdateItemCommand #iv#${shardOf(`p${i}`, 2)}#${i % 2 === 0 ? 60 : 300}`));
    expect(registryWrites).toEqual([...inUse].sort());
    // Every other request is about the timer itself: its GET (to spot a retry) and its PUT.
    expect(requests.filter(([, id]) => !id.startsWith('#')).map(([name]) => name).sort()).toEqual(
      [...Array(16).fill('GetItemCommand'), ...Array(16).fill('PutItemCommand')].sort(),
    );
    dynamodb.destroy();
  });

  test('a failing store answers 500 without leaking the error', async () => {
    const secret = 'arn:aws:dynamodb:us-east-1:123456789012:table/secret-table is not authorized';
    const store = new Proxy({} as TimerStore, {
      get: () => async () => {
        throw new Error(secret);
      },
    });
    const queue = { sendBatch: async () => [] };
    const api = createApiHandler({ config: engineConfig({ shardCount: 1, periodSeconds: 60 }), store, queue, metrics: noMetrics });

    const result = await api(apiEvent('PUT', '/periodic/{id}', 'a', '{"timerCallbackData": 1}'));

    expect(parse(result)).toEqual({ statusCode: 500, body: { message: 'internal error; the request may be retried' } });
    expect(result.body).not.toContain('secret');
  });
});

describe('configuration from the environment', () => {
  const valid = { [Envar.SHARD_COUNT]: '4', [Envar.PERIOD_SECONDS]: '60' };

  test('reads every setting', () => {
    expect(
      settingsFromEnv({
        ...valid,
        [Envar.BATCH_CONCURRENCY]: '5',
        [Envar.INDEX_LAG_TOLERANCE_MS]: '30000',
        [Envar.CREATE_WITHIN_MS]: '15000',
        [Envar.ONESHOT_RETENTION_SECONDS]: '60',
      }),
    ).toEqual({
      shardCount: 4,
      periodSeconds: 60,
      batchConcurrency: 5,
      indexLagToleranceMs: 30_000,
      createWithinMs: 15_000,
      oneShotRetentionMs: 60_000,
    });
    expect(engineConfigFromEnv({ ...valid, [Envar.INDEX_LAG_TOLERANCE_MS]: '30000', [Envar.CREATE_WITHIN_MS]: '15000' })).toMatchObject({
      indexLagToleranceMs: 30_000,
      createWithinMs: 15_000,
      directSendMs: 120_000 + 30_000 + 15_000,
    });
  });

  test.each([
    [{ [Envar.PERIOD_SECONDS]: '60' }, /TIMER_SHARD_COUNT is not set/],
    [{ ...valid, [Envar.PERIOD_SECONDS]: '1m' }, /TIMER_PERIOD_SECONDS must be a whole number, got "1m"/],
    [{ ...valid, [Envar.INDEX_LAG_TOLERANCE_MS]: '-1' }, /TIMER_INDEX_LAG_TOLERANCE_MS must be a whole number, got "-1"/],
    [{ ...valid, [Envar.INDEX_LAG_TOLERANCE_MS]: '1500' }, /TIMER_INDEX_LAG_TOLERANCE_MS \(indexLagToleranceMs\) must be a whole number of seconds/],
    [{ ...valid, [Envar.CREATE_WITHIN_MS]: '2500' }, /TIMER_CREATE_WITHIN_MS \(createWithinMs\) must be a whole number of seconds/],
    [{ ...valid, [Envar.SHARD_COUNT]: '101' }, /TIMER_SHARD_COUNT \(shardCount\) must be a whole number from 1 to 100, got 101/],
  ])('names the variable that is missing or malformed (%#)', (env, message) => {
    expect(() => engineConfigFromEnv(env)).toThrow(message);
  });

  test.each([
    [10, 50],
    [50, 58],
    [200, 208],
  ])('SDK clients for batchConcurrency %i: keep-alive, %i sockets, a request timeout that throws', async (batchConcurrency, sockets) => {
    // Region and credentials come from the process environment, as on Lambda.
    const saved = { ...process.env };
    Object.assign(process.env, moto.server().env);
    const clients = awsClientsFromEnv({ ...moto.server().env, ...valid }, batchConcurrency);
    try {
      await clients.dynamodb.send(new ListTablesCommand({}));
      await clients.sqs.send(new ListQueuesCommand({}));
    } finally {
      for (const key of Object.keys(moto.server().env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    for (const client of [clients.dynamodb, clients.sqs]) {
      // The options-object form of requestHandler: the installed SDK builds its handler from it.
      const handler = client.config.requestHandler as unknown as { httpHandlerConfigs(): Record<string, any> };
      const config = handler.httpHandlerConfigs();
      expect(config).toMatchObject({ requestTimeout: 5000, connectionTimeout: 2000, throwOnRequestTimeout: true });
      expect(config.httpsAgent).toMatchObject({ maxSockets: sockets, keepAlive: true });
      const httpAgent = await config.httpAgentProvider();
      expect(httpAgent).toMatchObject({ maxSockets: sockets, keepAlive: true });
    }
    // DynamoDB keeps the SDK's retries; SQS sends are retried by the dispatcher alone, within the tick's deadline.
    expect(await clients.dynamodb.config.maxAttempts()).toBe(3);
    expect(await clients.sqs.config.maxAttempts()).toBe(1);
    clients.dynamodb.destroy();
    clients.sqs.destroy();
  });

  test('the client that starts a continuation makes one attempt, so that an Event invoke is never sent twice by a retry', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, moto.server().env);
    const client = lambdaClientFromEnv({ ...moto.server().env, AWS_LAMBDA_FUNCTION_NAME: 'stack-TickFunction-abc' });
    try {
      // The handler's options are applied on the first request.
      await client.send(new ListFunctionsCommand({}));
    } finally {
      for (const key of Object.keys(moto.server().env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    expect(await client.config.maxAttempts()).toBe(1);
    const handler = client.config.requestHandler as unknown as { httpHandlerConfigs(): Record<string, any> };
    expect(handler.httpHandlerConfigs()).toMatchObject({ requestTimeout: 5000, connectionTimeout: 2000, throwOnRequestTimeout: true });
    client.destroy();
  });

  test('the tick continues itself by an asynchronous invocation of its own function, and only on Lambda', async () => {
    const sent: InvokeCommand[] = [];
    let statusCode = 202;
    const client = { send: async (command: InvokeCommand) => (sent.push(command), { StatusCode: statusCode }) } as unknown as LambdaClient;
    expect(continueTickFromEnv({}, client)).toBeUndefined();
    const continueTick = continueTickFromEnv({ AWS_LAMBDA_FUNCTION_NAME: 'stack-TickFunction-abc' }, client)!;

    await continueTick({ shardId: 'shard3', continueAs: 'owner-1', hop: 2 });

    expect(sent).toHaveLength(1);
    const input = sent[0].input;
    expect(input).toMatchObject({ FunctionName: 'stack-TickFunction-abc', InvocationType: 'Event' });
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({ shardId: 'shard3', continueAs: 'owner-1', hop: 2 });
    statusCode = 500;
    await expect(continueTick({ shardId: 'shard3', continueAs: 'owner-1' })).rejects.toThrow(/answered 500 .* \(202 expected\)/);
  });

  test('a tick event must name a shard of the deployment', () => {
    expect(shardIdOf({ shardId: 'shard3' }, 4)).toBe('shard3');
    for (const bad of [undefined, null, {}, { shardId: 3 }, { shardId: 'shard4' }, { shardId: 'shard03' }, { shardId: 'Shard1' }]) {
      expect(() => shardIdOf(bad, 4)).toThrow(/the tick event must be \{"shardId": "shard<n>"\} with n from 0 to 3, got /);
    }
  });
});

describe('the Lambda handler modules, configured by environment variables', () => {
  const saved = { ...process.env };
  let stdout: string[] = [];
  let restoreStdout: () => void;

  beforeAll(async () => {
    Object.assign(process.env, moto.server().env, {
      [Envar.TABLE_NAME]: await createTimerTable(moto.server()),
      [Envar.QUEUE_URL]: await createQueue(moto.server()),
      [Envar.SHARD_COUNT]: '1',
      [Envar.PERIOD_SECONDS]: '60',
      POWERTOOLS_SERVICE_NAME: 'timers-under-test',
    });
    // Powertools writes EMF records and logs straight to stdout: keep them to inspect, out of the test output.
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    restoreStdout = () => {
      process.stdout.write = write;
    };
  });

  afterAll(() => {
    restoreStdout();
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  test('PUT, GET, DELETE and a 404 through the API module, with EMF metrics per invocation', async () => {
    // The module reads its environment on its first invocation, which is this test's.
    const handler = apiLambda;
    const event = (method: string, body?: unknown) => apiEvent(method, '/oneshot/{id}', 'lambda-1', body === undefined ? undefined : JSON.stringify(body));
    stdout = [];

    const put = parse(await handler(event('PUT', { timerCallbackData: { hello: 'world' }, delaySeconds: 600 })));
    const got = parse(await handler(event('GET')));
    const deleted = parse(await handler(event('DELETE')));
    const gone = parse(await handler(event('GET')));

    expect(put).toMatchObject({ statusCode: 200, body: { id: 'lambda-1', kind: 'oneshot', state: 'scheduled' } });
    expect(got).toMatchObject({ statusCode: 200, body: { id: 'lambda-1', timerCallbackData: { hello: 'world' }, fireAt: put.body.fireAt } });
    expect(deleted).toEqual({ statusCode: 200, body: { id: 'lambda-1' } });
    expect(gone.statusCode).toBe(404);

    const records = stdout.flatMap((line) => line.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
    const created = records.find((r) => MetricName.TIMERS_CREATED in r);
    const removed = records.find((r) => MetricName.TIMERS_DELETED in r);
    expect(created?._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: METRIC_NAMESPACE, Dimensions: [['Service']] });
    expect(created).toMatchObject({ Service: 'timers-under-test', [MetricName.TIMERS_CREATED]: 1 });
    expect(removed).toMatchObject({ [MetricName.TIMERS_DELETED]: 1 });
  });

  test('the tick module ticks the shard it is given and refuses an event without one', async () => {
    const handler = tickLambda;
    stdout = [];

    const report = await handler({ shardId: 'shard0' }, { getRemainingTimeInMillis: () => 60_000 });

    expect(report).toMatchObject({ shardId: 'shard0', skipped: false, dispatched: 0 });
    expect(report.continuation).toBeUndefined();
    expect(report.watermark).toBeGreaterThan(Date.now());
    await expect(handler({ shard: 'shard0' })).rejects.toThrow(/"shardId": "shard<n>"\} with n from 0 to 0, got \{"shard":"shard0"\}/);
    const records = stdout.flatMap((line) => line.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
    const tick = records.find((r) => MetricName.TICK_DURATION in r);
    const units = Object.fromEntries(tick._aws.CloudWatchMetrics[0].Metrics.map((m: { Name: string; Unit: string }) => [m.Name, m.Unit]));
    expect(units).toMatchObject({ [MetricName.TICK_DURATION]: 'Milliseconds', [MetricName.DISPATCH_LAG]: 'Milliseconds', [MetricName.WINDOWS_CAUGHT_UP]: 'Count' });

    // A tick reports the next shard's watermark as it found it; the only shard is its own next, ahead since its first tick.
    stdout = [];
    await handler({ shardId: 'shard0' }, { getRemainingTimeInMillis: () => 60_000 });
    const again = stdout.flatMap((line) => line.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line))
      .find((r) => MetricName.SHARD_WATERMARK_LAG in r);
    const lagUnit = again?._aws.CloudWatchMetrics[0].Metrics.find((m: { Name: string }) => m.Name === MetricName.SHARD_WATERMARK_LAG)?.Unit;
    expect(lagUnit).toBe('Milliseconds');
    expect(again[MetricName.SHARD_WATERMARK_LAG]).toBeLessThan(0);
  });
});
