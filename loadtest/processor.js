/**
 * Artillery processor of the timer API load test (`timers.yml`): draws the variables each virtual user sends
 * (unique timer ids, spread offsets, one-shot delays), counts the one-shot timers that must fire so the runner
 * (`run.mjs`) can check none is lost, and, for a deployed stack behind IAM auth, signs each request with SigV4.
 */
'use strict';

const crypto = require('crypto');

/** Ids of one run share a prefix, so timers of several runs against one deployment never replace each other. */
const RUN_ID = process.env.LOADTEST_RUN_ID || `lt${Date.now().toString(36)}`;

/** One-shot delays are drawn from 1 to this many seconds; the runner waits this long before it counts firings. */
const MAX_DELAY_SECONDS = 30;

/**
 * A periodic timer gets an `endAt`, so timers a run leaves behind stop firing on their own: on a deployment,
 * otherwise, every run would add firings (and SQS requests) forever.
 */
const PERIODIC_LIFETIME_SECONDS = Number(process.env.PERIODIC_LIFETIME_SECONDS || 600);

function randomInt(min, max) {
  return crypto.randomInt(min, max + 1);
}

function newId(kind) {
  return `loadtest-${RUN_ID}-${kind}-${crypto.randomUUID()}`;
}

function newPeriodicTimer(context, events, done) {
  context.vars.timerId = newId('p');
  // Explicit offsets spread over the whole minute exercise every second of the schedule, as the hash default would.
  context.vars.offset = randomInt(0, 59);
  context.vars.endAt = new Date(Date.now() + PERIODIC_LIFETIME_SECONDS * 1000).toISOString();
  return done();
}

function newOneShotTimer(context, events, done) {
  context.vars.timerId = newId('o');
  context.vars.delaySeconds = randomInt(1, MAX_DELAY_SECONDS);
  context.vars.cancelled = false;
  return done();
}

/** A one-shot cancelled right after its PUT: its delay leaves ample time for the DELETE to land first. */
function newCancelledOneShotTimer(context, events, done) {
  context.vars.timerId = newId('o');
  context.vars.delaySeconds = randomInt(20, MAX_DELAY_SECONDS);
  // Carried in the callback data, so the runner can tell a cancelled timer that fired from a kept one.
  context.vars.cancelled = true;
  return done();
}

/** Runs after a PUT whose expectations held, so the count is of one-shots the service accepted. */
function countOneShotKept(context, events, done) {
  events.emit('counter', 'timers.oneshot.kept', 1);
  return done();
}

function countOneShotCancelled(context, events, done) {
  events.emit('counter', 'timers.oneshot.cancelled', 1);
  return done();
}

/**
 * Replaces `{{ name }}` with the virtual user's variable. Artillery templates a request only after its
 * `beforeRequest` hooks, and a signature must cover the URL and body actually sent, so the signing hook resolves
 * them itself. Only plain variable names are supported: that is all `timers.yml` uses.
 */
function resolve(value, vars) {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([\w$]+)\s*\}\}$/.exec(value);
    if (whole) return vars[whole[1]];
    return value.replace(/\{\{\s*([\w$]+)\s*\}\}/g, (_, name) => String(vars[name]));
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, vars));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, vars)]));
  }
  return value;
}

/**
 * `beforeRequest` hook of every scenario: when the variable `sigv4` is true (the `aws` environments set it), signs
 * the request with SigV4 for API Gateway (`execute-api`), as the construct's default IAM authorization requires.
 * Credentials come from the standard variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN;
 * the region from the API's host name, or AWS_REGION for a custom domain.
 */
function signIfRequired(requestParams, context, events, done) {
  if (context.vars.sigv4 !== true && context.vars.sigv4 !== 'true') return done();
  // Loaded here so runs against the local runtime do not need it.
  const aws4 = require('aws4');
  if (!process.env.AWS_ACCESS_KEY_ID || !process.env.AWS_SECRET_ACCESS_KEY) {
    return done(new Error(
      'the aws environments sign requests with SigV4 but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set: ' +
      'export them (e.g. eval "$(aws configure export-credentials --format env)"), or pass --variables \'{"sigv4": false}\' for an API without IAM auth',
    ));
  }
  const url = new URL(resolve(requestParams.url, context.vars));
  const headers = { ...(requestParams.headers || {}) };
  let body;
  if (requestParams.json !== undefined) {
    body = JSON.stringify(resolve(requestParams.json, context.vars));
    headers['content-type'] = 'application/json';
    delete requestParams.json;
  }
  const signed = aws4.sign({
    host: url.host,
    path: url.pathname + url.search,
    method: requestParams.method,
    service: 'execute-api',
    ...(process.env.AWS_REGION && !/\.execute-api\./.test(url.host) && { region: process.env.AWS_REGION }),
    headers,
    ...(body !== undefined && { body }),
  });
  requestParams.url = url.toString();
  requestParams.headers = signed.headers;
  if (body !== undefined) requestParams.body = body;
  return done();
}

module.exports = {
  MAX_DELAY_SECONDS,
  newPeriodicTimer,
  newOneShotTimer,
  newCancelledOneShotTimer,
  countOneShotKept,
  countOneShotCancelled,
  signIfRequired,
};
