/**
 * The load test's Artillery hooks, without Artillery: the PUT each virtual user sends (URL on the API's base, a body
 * in the API contract, SigV4 that a second, independent implementation of the algorithm computes identically), and
 * the journal that tells the `after` hook what was created.
 */
import { createHash, createHmac, Hash, Hmac } from 'crypto';
import * as fs from 'fs';
import { SignatureV4 } from '@smithy/signature-v4';
import { MISSING_CREDENTIALS, signedHeaders } from '../../loadtest/lib/sigv4';
import { readJournal, RunPlan } from '../../loadtest/lib/suite';
import { drawOneShotTimer, drawPeriodicTimer, planTheRun, timerCreated, timerRequest } from '../../loadtest/processor';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const API = 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/';
const NOW = Date.UTC(2026, 11, 2, 9, 30, 15);

const toBytes = (data: ArrayBuffer | ArrayBufferView): Uint8Array =>
  (ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data));

/** SHA-256 and HMAC-SHA-256 in the shape the SDK's signer takes. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', typeof secret === 'string' ? secret : toBytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(typeof data === 'string' ? data : toBytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

/** The same request signed by the AWS SDK's own signer. */
async function sdkSignature(method: string, url: string, body: string | undefined, headers: Record<string, string>): Promise<string> {
  const parsed = new URL(url);
  const signer = new SignatureV4({ credentials: CREDENTIALS, region: 'eu-west-1', service: 'execute-api', sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign({
    method, protocol: 'https:', hostname: parsed.hostname, path: parsed.pathname, query: {}, headers: { host: parsed.host, ...headers }, body,
  }, { signingDate: new Date(NOW) });
  return signed.headers.authorization;
}

const env = { AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey };

function runVars(overrides: Record<string, unknown> = {}): Record<string, any> {
  return { target: API, source: 'local', sigv4: false, createSeconds: 10, slackSeconds: 5, windowMinutes: 2, alignWindow: false, ...overrides };
}

function plan(vars: Record<string, any>): RunPlan {
  let error: Error | undefined;
  planTheRun({ vars }, { emit: () => undefined }, (e) => { error = e; });
  if (error) throw error;
  return vars.plan;
}

beforeEach(() => jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate'] }));
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

test('a GET is signed exactly as the AWS SDK signs it, the region read from the API host', async () => {
  const url = `${API}periodic/lt-abc-1`;
  const headers = signedHeaders({ method: 'GET', url }, env);
  expect(headers['X-Amz-Date']).toBe('20261202T093015Z');
  expect(headers.Authorization).toBe(await sdkSignature('GET', url, undefined, { 'x-amz-date': '20261202T093015Z' }));
  expect(headers.Authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261202\/eu-west-1\/execute-api\/aws4_request, /);
});

test('each PUT goes to the API base with a stage path, carries the contract body, and is signed over that body', async () => {
  // GIVEN a run planned against a stage URL with a trailing slash, signing on
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  Object.assign(process.env, env);
  const vars = runVars({ sigv4: true });
  const planned = plan(vars);
  try {
    // WHEN a virtual user draws a periodic timer and its PUT is prepared
    const context = { vars: { ...vars } };
    drawPeriodicTimer(context, { emit: () => undefined }, () => undefined);
    const request: Record<string, any> = { url: `${API}/periodic/${context.vars.timerId}`, method: 'PUT', json: { placeholder: true } };
    let error: Error | undefined;
    timerRequest(request as any, context, { emit: () => undefined }, (e) => { error = e; });
    // THEN
    expect(error).toBeUndefined();
    expect(request.url).toBe(`https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod/periodic/${context.vars.timerId}`);
    expect(request.json).toBeUndefined();
    const body = JSON.parse(request.body);
    expect(Object.keys(body).sort()).toEqual(['endAt', 'interval', 'offset', 'startAt', 'timerCallbackData']);
    expect([Date.parse(body.startAt), Date.parse(body.endAt)]).toEqual([planned.windowFrom, planned.windowTo]);
    expect(body.offset).toBeLessThan(body.interval);
    expect(context.vars.timerId).toMatch(new RegExp(`^lt-${planned.runId}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`));
    expect(Buffer.byteLength(JSON.stringify(body.timerCallbackData))).toBeGreaterThan(200);
    expect(request.headers.Authorization).toBe(await sdkSignature('PUT', request.url, request.body, {
      'content-type': 'application/json', 'content-length': String(Buffer.byteLength(request.body)), 'x-amz-date': request.headers['X-Amz-Date'],
    }));
    // AND the journal holds the attempt, and the creation once answered 200
    timerCreated({}, { statusCode: 200 }, context, { emit: () => undefined }, () => undefined);
    const oneShot = { vars: { ...vars } };
    drawOneShotTimer(oneShot, { emit: () => undefined }, () => undefined);
    timerRequest({ url: '/oneshot/x', method: 'PUT' } as any, oneShot, { emit: () => undefined }, () => undefined);
    const rejected = jest.fn();
    timerCreated({}, { statusCode: 400 }, oneShot, { emit: rejected }, () => undefined);
    const journal = readJournal(planned.journalDir);
    expect(journal.attempted.map((t) => t.id)).toEqual([context.vars.timerId, oneShot.vars.timerId]);
    expect(journal.created).toEqual([context.vars.timer]);
    expect(rejected).toHaveBeenCalledWith('counter', 'timers.rejected', 1);
    const fireAt = oneShot.vars.timer.fireAt;
    expect(fireAt >= planned.windowFrom && fireAt < planned.windowTo && fireAt % 1000 === 0).toBe(true);
  } finally {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    fs.rmSync(planned.journalDir, { recursive: true, force: true });
  }
});

test('signing without credentials, or an unknown source, stops the run before the first request with what to do', () => {
  jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  expect(() => signedHeaders({ method: 'GET', url: API }, {})).toThrow(MISSING_CREDENTIALS);
  expect(() => plan(runVars({ sigv4: true }))).toThrow(/AWS_ACCESS_KEY_ID/);
  expect(() => plan(runVars({ source: 'cloud' }))).toThrow('the variable source must be "local" or "aws", got "cloud"');
  expect(() => plan(runVars({ source: 'aws', stackOutputs: 'no-such-outputs.json' }))).toThrow(/--outputs-file loadtest\/aws-outputs.json/);
  expect(() => plan(runVars({ windowMinutes: 0 }))).toThrow('the variable windowMinutes must be a number of at least 1, got 0');
});
