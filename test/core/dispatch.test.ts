/**
 * Dispatch planning and sending (src/core/dispatch.ts): batch packing within SQS limits, delays that land each
 * firing on its second, the callback contract's attributes, and the Dispatcher's concurrency and retries.
 */
import fc from 'fast-check';
import {
  DispatchItem,
  Dispatcher,
  LATE_TOLERANCE_MS,
  delaySecondsFor,
  firingIdOf,
  messageAttributesOf,
  messageSizeOf,
  planBatches,
  toQueueEntries,
  utf8Length,
} from '../../src/core/dispatch';
import { Firing, Limits } from '../../src/core/model';
import { MessageAttribute, MetricName } from '../../src/core/names';
import { Log, silentLog } from '../../src/core/ports';
import { ManualClock, RecordingMetrics, RecordingQueue } from '../support/memory-store';

const NOW = 1_750_000_000_000;

/** A firing a minute ahead by default, so retries and backoff never make it late. */
function firing(i: number, body = `{"n":${i}}`, scheduledAt = NOW + 60_000 + i * 1000): Firing {
  return { timerId: `timer-${i}`, kind: i % 2 === 0 ? 'periodic' : 'oneshot', scheduledAt, body };
}

/** Bodies from empty to just under the callback data limit, some multi-byte. */
const body = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 50 }) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('x', 'é', '€', '😀'), fc.integer({ min: 0, max: 40_000 })).map(([c, n]) => c.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 100_000, max: Limits.MAX_CALLBACK_DATA_BYTES }).map((n) => 'y'.repeat(n)) },
);
const firings = fc.array(body, { maxLength: 60 }).map((bodies) => bodies.map((b, i) => firing(i, b)));

describe('planBatches', () => {
  test('batches never exceed 10 entries nor 256 KiB, keep order, lose nothing, and are full before a new one starts', () => {
    fc.assert(
      fc.property(firings, (input) => {
        const batches = [...planBatches(input)];
        expect(batches.flat()).toEqual(input);
        batches.forEach((batch, i) => {
          const bytes = batch.reduce((sum, f) => sum + messageSizeOf(f), 0);
          expect(batch.length).toBeGreaterThan(0);
          expect(batch.length).toBeLessThanOrEqual(Limits.MAX_BATCH_ENTRIES);
          expect(bytes).toBeLessThanOrEqual(Limits.MAX_BATCH_BYTES);
          if (i < batches.length - 1) {
            const next = messageSizeOf(batches[i + 1][0]);
            expect(batch.length === Limits.MAX_BATCH_ENTRIES || bytes + next > Limits.MAX_BATCH_BYTES).toBe(true);
          }
        });
      }),
      { numRuns: 150 },
    );
  });

  test.each([
    [0, []],
    [1, [1]],
    [10, [10]],
    [11, [10, 1]],
    [35, [10, 10, 10, 5]],
  ])('%d small firings make batches of %j', (n, sizes) => {
    expect([...planBatches(Array.from({ length: n }, (_, i) => firing(i)))].map((b) => b.length)).toEqual(sizes);
  });

  test('two messages that together exceed 256 KiB go in separate batches', () => {
    const big = 'z'.repeat(130 * 1024);
    expect([...planBatches([firing(0, big), firing(1, big), firing(2, '{}')])].map((b) => b.length)).toEqual([1, 2]);
  });
});

describe('messageSizeOf', () => {
  test('counts the body and every attribute name, type and value in UTF-8 bytes', () => {
    const f = firing(3, '{"é":"€"}');
    const attributes = messageAttributesOf(f);
    const expected =
      Buffer.byteLength(f.body) + Object.entries(attributes).reduce((sum, [k, v]) => sum + Buffer.byteLength(k) + 'String'.length + Buffer.byteLength(v), 0);
    expect(messageSizeOf(f)).toBe(expected);
  });

  test('equals the size of the attributes as sent, for any id, kind, instant and body', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9._\-:@]{1,128}$/),
        fc.constantFrom('periodic' as const, 'oneshot' as const),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.string({ unit: 'grapheme', maxLength: 50 }),
        (timerId, kind, scheduledAt, text) => {
          const f = { timerId, kind, scheduledAt, body: JSON.stringify(text) };
          const sent = Object.entries(messageAttributesOf(f)).reduce(
            (sum, [k, v]) => sum + Buffer.byteLength(k) + 'String'.length + Buffer.byteLength(v),
            Buffer.byteLength(f.body),
          );
          expect(messageSizeOf(f)).toBe(sent);
        },
      ),
    );
  });
});

describe('utf8Length', () => {
  test('matches Buffer.byteLength for well-formed text', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'))), { numRuns: 500 });
  });

  test('matches Buffer.byteLength for any UTF-16 code units, lone surrogates included', () => {
    const codeUnit = fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0xd800, max: 0xdfff })).map((c) => String.fromCharCode(c));
    fc.assert(fc.property(fc.string({ unit: codeUnit, maxLength: 50 }), (s) => expect(utf8Length(s)).toBe(Buffer.byteLength(s, 'utf8'))), { numRuns: 500 });
  });

  test.each([
    ['', 0],
    ['a', 1],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    ['\ud800', 3],
    ['\ud800é', 5],
  ])('%j is %d bytes', (s, n) => {
    expect(utf8Length(s)).toBe(n);
  });
});

describe('delaySecondsFor', () => {
  test('makes a target within 900 s visible at its second, less than one second late', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 900_000 }), (nowOffset, ahead) => {
        const now = NOW + nowOffset;
        const target = now + ahead;
        const delay = delaySecondsFor(target, now);
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(Limits.MAX_SQS_DELAY_SECONDS);
        const visibleAt = now + delay * 1000;
        expect(visibleAt).toBeGreaterThanOrEqual(target);
        expect(visibleAt).toBeLessThan(target + 1000);
      }),
      { numRuns: 1000 },
    );
  });

  test.each([
    ['a past target goes at once', NOW - 5000, 0],
    ['now goes at once', NOW, 0],
    ['1 ms ahead waits one second', NOW + 1, 1],
    ['exactly 900 s ahead', NOW + 900_000, 900],
    ['beyond 900 s is capped at the SQS maximum', NOW + 3_600_000, 900],
  ])('%s', (_name, target, expected) => {
    expect(delaySecondsFor(target, NOW)).toBe(expected);
  });
});

describe('toQueueEntries', () => {
  test('carries the callback contract: body, TimerId, TimerKind, ScheduledAt, FiringId {id}@{ScheduledAt}', () => {
    const batch = [firing(0, '{"a":[1,2]}', NOW + 4000), firing(1, '"text"', NOW - 2000)];
    const entries = toQueueEntries(batch, NOW + 500);
    expect(entries).toEqual([
      {
        id: '0',
        body: '{"a":[1,2]}',
        delaySeconds: 4,
        scheduledAt: NOW + 4000,
        attributes: { TimerId: 'timer-0', TimerKind: 'periodic', ScheduledAt: String(NOW + 4000), FiringId: `timer-0@${NOW + 4000}` },
      },
      {
        id: '1',
        body: '"text"',
        delaySeconds: 0,
        scheduledAt: NOW - 2000,
        attributes: { TimerId: 'timer-1', TimerKind: 'oneshot', ScheduledAt: String(NOW - 2000), FiringId: `timer-1@${NOW - 2000}` },
      },
    ]);
    expect(Object.keys(entries[0].attributes).sort()).toEqual(Object.values(MessageAttribute).sort());
    expect(firingIdOf({ timerId: 'a:b@c', scheduledAt: 5 })).toBe('a:b@c@5');
  });

  test('entry ids are unique within a batch', () => {
    const entries = toQueueEntries(Array.from({ length: 10 }, (_, i) => firing(i)), NOW);
    expect(new Set(entries.map((e) => e.id)).size).toBe(10);
  });
});

interface DispatcherChoice {
  readonly concurrency?: number;
  readonly maxAttempts?: number;
}

function dispatcher(queue: RecordingQueue, clock: ManualClock, metrics = new RecordingMetrics(), options: DispatcherChoice = {}) {
  return new Dispatcher({ queue, clock, concurrency: options.concurrency ?? 3, metrics, log: silentLog, maxAttempts: options.maxAttempts });
}

/** Splits firings into pages of the given sizes (the rest in a last page), like a store's query pages. */
function paged(all: Firing[], sizes: number[]): Firing[][] {
  const pages: Firing[][] = [];
  let i = 0;
  for (const size of sizes) {
    pages.push(all.slice(i, i + size));
    i += size;
  }
  pages.push(all.slice(i));
  return pages;
}

async function* asAsync<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) {
    await new Promise((resolve) => setImmediate(resolve));
    yield item;
  }
}

describe('Dispatcher', () => {
  test('sends every firing of every page once, with never more than `concurrency` batches in flight', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 80 }),
        fc.array(fc.integer({ min: 0, max: 25 }), { maxLength: 6 }),
        async (concurrency, n, pageSizes) => {
          const clock = new ManualClock(NOW);
          const queue = new RecordingQueue({ clock });
          const all = Array.from({ length: n }, (_, i) => firing(i));
          const pages = paged(all, pageSizes).map((page) => page.map((f, j) => ({ firings: [f], position: j })));
          const { report } = await dispatcher(queue, clock, undefined, { concurrency }).dispatchStream(asAsync(pages));
          expect(report).toEqual({ dispatched: n, late: 0, failed: 0, rejected: 0, maxLagMs: 0 });
          expect(queue.firingIds().sort()).toEqual(all.map(firingIdOf).sort());
          expect(queue.maxInFlight).toBeLessThanOrEqual(concurrency);
          expect(queue.calls.every((c) => c.length <= Limits.MAX_BATCH_ENTRIES)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('uses all of its concurrency when there are enough batches', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    await dispatcher(queue, clock, undefined, { concurrency: 4 }).dispatch([Array.from({ length: 100 }, (_, i) => firing(i))]);
    expect(queue.maxInFlight).toBe(4);
    expect(queue.sent).toHaveLength(100);
  });

  test('with concurrency 1 the queue sees the firings in order, in full batches across page boundaries', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    const all = Array.from({ length: 23 }, (_, i) => firing(i));
    await dispatcher(queue, clock, undefined, { concurrency: 1 }).dispatch(paged(all, [3, 0, 7, 4]));
    expect(queue.firingIds()).toEqual(all.map(firingIdOf));
    expect(queue.calls.map((c) => c.length)).toEqual([10, 10, 3]);
  });

  test('refused entries are retried with growing, capped backoff until accepted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 5 }), async (n, refusals) => {
        const clock = new ManualClock(NOW);
        const queue = new RecordingQueue({ clock });
        // Odd firings are refused for their first `refusals` attempts.
        queue.refuse = (entry, attempt) => Number(entry.attributes.TimerId.split('-')[1]) % 2 === 1 && attempt <= refusals;
        const all = Array.from({ length: n }, (_, i) => firing(i));
        const report = await dispatcher(queue, clock, undefined, { maxAttempts: 6 }).dispatch([all]);
        expect(report.failed).toBe(0);
        expect(report.dispatched).toBe(n);
        expect(queue.firingIds().sort()).toEqual(all.map(firingIdOf).sort());
        // Each batch holding an odd firing sleeps once per refusal, with full jitter under base * 2^(attempt-1).
        const batchesWithOdd = [...planBatches(all)].filter((b) => b.some((f) => Number(f.timerId.split('-')[1]) % 2 === 1)).length;
        expect(clock.sleeps.length).toBe(refusals * batchesWithOdd);
        expect(clock.sleeps.every((ms) => ms >= 0 && ms <= 50 * 2 ** (refusals - 1))).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  test('backoff doubles per attempt from the base and never exceeds 5 s', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    queue.refuse = () => true;
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    try {
      const metrics = new RecordingMetrics();
      await new Dispatcher({ queue, clock, concurrency: 1, metrics, log: silentLog, maxAttempts: 10, baseBackoffMs: 100 }).dispatch([[firing(0)]]);
    } finally {
      random.mockRestore();
    }
    const caps = [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000];
    expect(clock.sleeps).toHaveLength(caps.length);
    clock.sleeps.forEach((ms, i) => {
      expect(ms).toBeLessThanOrEqual(caps[i]);
      expect(ms).toBeGreaterThan(caps[i] * 0.99);
    });
  });

  test('entries still refused after the last attempt are counted as failed, the rest as dispatched', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    const metrics = new RecordingMetrics();
    queue.refuse = (entry) => entry.attributes.TimerId === 'timer-3' || entry.attributes.TimerId === 'timer-14';
    const all = Array.from({ length: 20 }, (_, i) => firing(i));
    const report = await dispatcher(queue, clock, metrics, { maxAttempts: 4 }).dispatch([all]);
    expect(report).toEqual({ dispatched: 18, late: 0, failed: 2, rejected: 0, maxLagMs: 0 });
    expect(queue.calls.filter((c) => c.some((e) => e.attributes.TimerId === 'timer-3'))).toHaveLength(4);
    expect(metrics.count(MetricName.SEND_FAILURES)).toBe(2);
    expect(metrics.count(MetricName.FIRINGS_DISPATCHED)).toBe(18);
  });

  test('a sendBatch that throws is retried', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    queue.throwTimes = 3;
    const all = Array.from({ length: 15 }, (_, i) => firing(i));
    const report = await dispatcher(queue, clock, undefined, { concurrency: 1 }).dispatch([all]);
    expect(report).toEqual({ dispatched: 15, late: 0, failed: 0, rejected: 0, maxLagMs: 0 });
    expect(queue.firingIds()).toEqual(all.map(firingIdOf));
    expect(queue.calls).toHaveLength(5);
  });

  test('a sendBatch that always throws fails the batch after max attempts, without rejecting', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    queue.throwTimes = 100;
    const report = await dispatcher(queue, clock, undefined, { concurrency: 1, maxAttempts: 3 }).dispatch([[firing(0), firing(1)]]);
    expect(report).toEqual({ dispatched: 0, late: 0, failed: 2, rejected: 0, maxLagMs: 0 });
    expect(queue.calls).toHaveLength(3);
  });

  test('delays are measured from the moment of each send', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock, latencyMs: 0 });
    queue.refuse = (_entry, attempt) => attempt === 1;
    await dispatcher(queue, clock, undefined, { concurrency: 1 }).dispatch([[firing(0, '{}', NOW + 10_000)]]);
    const [first, second] = queue.calls.map((c) => c[0]);
    expect(first.delaySeconds).toBe(10);
    expect(second.delaySeconds).toBe(delaySecondsFor(NOW + 10_000, NOW + clock.sleeps[0]));
  });

  test('firings sent more than the tolerance after their instant count as late, with the largest lag', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    const metrics = new RecordingMetrics();
    const batch = [firing(0, '{}', NOW - 7000), firing(1, '{}', NOW - LATE_TOLERANCE_MS), firing(2, '{}', NOW - 2500), firing(3, '{}', NOW + 1000)];
    const report = await dispatcher(queue, clock, metrics).dispatch([batch]);
    expect(report).toEqual({ dispatched: 4, late: 2, failed: 0, rejected: 0, maxLagMs: 7000 });
    expect(metrics.count(MetricName.LATE_FIRINGS)).toBe(2);
  });

  test('a source that fails to read rejects the dispatch', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    async function* broken(): AsyncGenerator<DispatchItem<number>[]> {
      yield Array.from({ length: 25 }, (_, i) => ({ firings: [firing(i)], position: i }));
      throw new Error('page read failed');
    }
    await expect(dispatcher(queue, clock).dispatchStream(broken())).rejects.toThrow('page read failed');
  });

  test.each([0, -1, 1.5, NaN])('refuses concurrency %p', (concurrency) => {
    const options = { queue: new RecordingQueue(), clock: new ManualClock(0), concurrency, metrics: new RecordingMetrics(), log: silentLog };
    expect(() => new Dispatcher(options)).toThrow(
      `batch concurrency must be a whole number of at least 1, got ${concurrency}`,
    );
  });

  test('lateness counts from the earliest instant a firing could be sent: a past one-shot sent at once is on time', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    const metrics = new RecordingMetrics();
    // Created now with `at` 4 s in the past (within the grace), and one that is genuinely 3 s late.
    const report = await dispatcher(queue, clock, metrics).dispatch([[firing(0, '{}', NOW - 4000)]], { earliestMs: NOW });
    expect(report).toEqual({ dispatched: 1, late: 0, failed: 0, rejected: 0, maxLagMs: 0 });
    const late = await dispatcher(queue, clock, metrics).dispatch([[firing(1, '{}', NOW - 6000)]], { earliestMs: NOW - 3000 });
    expect(late).toMatchObject({ dispatched: 1, late: 1, maxLagMs: 3000 });
    expect(metrics.count(MetricName.LATE_FIRINGS)).toBe(1);
  });

  test('an entry the queue refuses for good is set aside at once: logged with what the queue said, counted, never retried', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    const metrics = new RecordingMetrics();
    const errors: Array<[string, Record<string, unknown> | undefined]> = [];
    const log: Log = { ...silentLog, error: (message, fields) => errors.push([message, fields]) };
    queue.refuse = (entry) =>
      entry.attributes.TimerId === 'timer-4' && { code: 'InvalidMessageContents', message: 'Invalid characters found', permanent: true };
    const all = Array.from({ length: 12 }, (_, i) => firing(i));
    const report = await new Dispatcher({ queue, clock, concurrency: 2, metrics, log }).dispatch([all]);
    expect(report).toEqual({ dispatched: 11, late: 0, failed: 0, rejected: 1, maxLagMs: 0 });
    expect(queue.calls.filter((c) => c.some((e) => e.attributes.TimerId === 'timer-4'))).toHaveLength(1);
    expect(clock.sleeps).toEqual([]);
    expect(metrics.count(MetricName.FIRINGS_REJECTED)).toBe(1);
    expect(errors).toEqual([[
      expect.stringContaining('set aside'),
      { timerId: 'timer-4', firingId: firingIdOf(all[4]), scheduledAt: all[4].scheduledAt, code: 'InvalidMessageContents', queueMessage: 'Invalid characters found' },
    ]]);
  });

  test('retries stop at giveUpAt: what is still refused then counts as failed', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    queue.refuse = () => true;
    const random = jest.spyOn(Math, 'random').mockReturnValue(0.999999);
    try {
      const report = await dispatcher(queue, clock, undefined, { maxAttempts: 20 }).dispatch([[firing(0)]], { giveUpAt: NOW + 1000 });
      expect(report.failed).toBe(1);
    } finally {
      random.mockRestore();
    }
    // 50 + 100 + 200 + 400 ms of backoff fit before 1 s; the next (800 ms) would not.
    expect(queue.calls).toHaveLength(5);
    expect(clock.now()).toBeLessThan(NOW + 1000);
  });
});

describe('Dispatcher.dispatchStream', () => {
  /** Items of `sizes[i]` firings each, in pages of `pageSize` items; the position of item i is i. */
  function itemPages(sizes: number[], pageSize: number): { pages: DispatchItem<number>[][]; all: Firing[][] } {
    let n = 0;
    const all = sizes.map((size) => Array.from({ length: size }, () => firing(n++)));
    const pages: DispatchItem<number>[][] = [];
    for (let i = 0; i < all.length; i += pageSize) pages.push(all.slice(i, i + pageSize).map((item, j) => ({ firings: item, position: i + j })));
    return { pages, all };
  }

  test('stopped after any item and resumed from its position, every firing is sent exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 23 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 30 }),
        async (sizes, pageSize, concurrency, stopAfter) => {
          const clock = new ManualClock(NOW);
          const queue = new RecordingQueue({ clock });
          const { pages, all } = itemPages(sizes, pageSize);
          const d = dispatcher(queue, clock, undefined, { concurrency });
          let asked = 0;
          const first = await d.dispatchStream(asAsync(pages), { shouldStop: () => asked++ >= stopAfter });
          const done = first.position === undefined ? 0 : first.position + 1;
          expect(first.complete).toBe(stopAfter >= sizes.length);
          // A clean stop sends exactly the items up to its position: nothing beyond it to send again.
          expect(queue.firingIds().sort()).toEqual(all.slice(0, done).flat().map(firingIdOf).sort());
          const rest = pages.map((page) => page.filter((item) => item.position >= done)).filter((page) => page.length > 0);
          const second = await d.dispatchStream(asAsync(rest));
          expect(second.complete).toBe(true);
          const ids = queue.firingIds();
          expect(ids.length).toBe(new Set(ids).size);
          expect(ids.sort()).toEqual(all.flat().map(firingIdOf).sort());
        },
      ),
      { numRuns: 80 },
    );
  });

  test('the completed prefix never runs ahead of a batch still in flight, whatever order sends finish in', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 2, max: 6 }),
        async (sizes, concurrency) => {
          const clock = new ManualClock(NOW);
          const queue = new RecordingQueue({ clock });
          const { pages, all } = itemPages(sizes, 3);
          // Sends finish in a shuffled order: each waits a random number of event-loop turns.
          const inner = queue.sendBatch.bind(queue);
          queue.sendBatch = async (entries) => {
            for (let i = Math.floor(Math.random() * 5); i > 0; i--) await new Promise((resolve) => setImmediate(resolve));
            return inner(entries);
          };
          const reported: number[] = [];
          const outcome = await dispatcher(queue, clock, undefined, { concurrency }).dispatchStream(asAsync(pages), {
            onProgress: (position) => {
              const sent = new Set(queue.firingIds());
              // Everything up to the reported position has been accepted already.
              for (const f of all.slice(0, position + 1).flat()) expect(sent.has(firingIdOf(f))).toBe(true);
              reported.push(position);
            },
          });
          expect(outcome).toMatchObject({ complete: true, position: sizes.length - 1 });
          expect(reported).toEqual([...reported].sort((a, b) => a - b));
        },
      ),
      { numRuns: 40 },
    );
  });

  test('after a batch fails for good, no further item starts and the position stays before it', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    queue.refuse = (entry) => entry.attributes.TimerId === 'timer-25';
    const { pages } = itemPages([10, 10, 10, 10, 10, 10], 2);
    const outcome = await dispatcher(queue, clock, undefined, { concurrency: 1, maxAttempts: 2 }).dispatchStream(asAsync(pages));
    // Items 0 and 1 (timers 0-19) are done; item 2 holds timer-25.
    expect(outcome).toMatchObject({ complete: false, position: 1, report: { failed: 1 } });
    expect(queue.firingIds().some((id) => /^timer-[345]\d@/.test(id))).toBe(false);
  });

  test('set-aside firings count as done: the position moves past them', async () => {
    const clock = new ManualClock(NOW);
    const queue = new RecordingQueue({ clock });
    queue.refuse = (entry) => entry.attributes.TimerId === 'timer-3' && { code: 'InvalidMessageContents', permanent: true };
    const { pages } = itemPages([2, 2, 2], 1);
    const outcome = await dispatcher(queue, clock).dispatchStream(asAsync(pages));
    expect(outcome).toMatchObject({ complete: true, position: 2, report: { dispatched: 5, rejected: 1, failed: 0 } });
  });
});
