'use strict';
/**
 * The firings a set of timers is due to deliver in a window, per minute of ScheduledAt, from the timers' own
 * definitions: what the load test compares what was delivered with (`rules.js`). The schedule is the engine's
 * (DESIGN.md): a periodic timer fires at each whole second t with t mod interval = offset, from `startAt` (included)
 * to `endAt` (excluded); a one-shot fires once, at its `fireAt`. A test checks this against the engine's own code.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;

function mod(a, n) {
  return ((a % n) + n) % n;
}

/**
 * @param {Array<{ kind: 'periodic', interval: number, offset: number, startAt?: number, endAt?: number }
 *   | { kind: 'oneshot', fireAt: number }>} timers times in epoch ms, interval and offset in seconds
 * @param {number} fromMs window start (included), epoch ms
 * @param {number} toMs window end (excluded), epoch ms
 * @returns {Record<string, number>} firings due per minute (ISO-8601 of the minute's start), minutes without any left out
 */
function expectedPerMinute(timers, fromMs, toMs) {
  const perMinute = new Map();
  const add = (at) => {
    const minute = Math.floor(at / MINUTE) * MINUTE;
    perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
  };
  for (const timer of timers) {
    if (timer.kind === 'oneshot') {
      if (timer.fireAt >= fromMs && timer.fireAt < toMs) add(timer.fireAt);
      continue;
    }
    const low = Math.max(fromMs, timer.startAt ?? -Infinity);
    const high = Math.min(toMs, timer.endAt ?? Infinity);
    if (high <= low) continue;
    const firstSecond = Math.ceil(low / SECOND);
    for (let t = firstSecond + mod(timer.offset - firstSecond, timer.interval); t * SECOND < high; t += timer.interval) add(t * SECOND);
  }
  return Object.fromEntries([...perMinute.entries()].sort(([a], [b]) => a - b).map(([minute, n]) => [new Date(minute).toISOString(), n]));
}

module.exports = { expectedPerMinute };
