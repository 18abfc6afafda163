/**
 * Engine settings (src/core/config.ts): the ranges they are checked against and the values derived from them
 * (window, look-ahead within SQS's 900 s delay, tick budget, lease).
 */
import fc from 'fast-check';
import { MAX_PERIOD_SECONDS, MAX_SHARDS, engineConfig } from '../../src/core/config';
import { Limits } from '../../src/core/model';

describe('engineConfig', () => {
  test.each([
    [{ shardCount: 0, periodSeconds: 60 }, 'shardCount must be a whole number from 1 to 100, got 0'],
    [{ shardCount: 101, periodSeconds: 60 }, 'shardCount must be a whole number from 1 to 100, got 101'],
    [{ shardCount: 1.5, periodSeconds: 60 }, 'shardCount must be a whole number from 1 to 100, got 1.5'],
    [{ shardCount: 1, periodSeconds: 0 }, 'periodSeconds must be a whole number from 1 to 840, got 0'],
    [{ shardCount: 1, periodSeconds: 841 }, 'periodSeconds must be a whole number from 1 to 840, got 841'],
    [{ shardCount: 1, periodSeconds: NaN }, 'periodSeconds must be a whole number from 1 to 840, got NaN'],
    [{ shardCount: 1, periodSeconds: 60, batchConcurrency: 0 }, 'batchConcurrency must be a whole number from 1 to 1000, got 0'],
    [{ shardCount: 1, periodSeconds: 60, batchConcurrency: 1001 }, 'batchConcurrency must be a whole number from 1 to 1000, got 1001'],
    [{ shardCount: 1, periodSeconds: 60, lookAheadMarginMs: 0 }, 'lookAheadMarginMs must be a whole number of seconds from 1000 to 60000 ms, got 0'],
    [{ shardCount: 1, periodSeconds: 60, lookAheadMarginMs: 1500 }, 'lookAheadMarginMs must be a whole number of seconds from 1000 to 60000 ms, got 1500'],
    [{ shardCount: 1, periodSeconds: 60, lookAheadMarginMs: 61_000 }, 'lookAheadMarginMs must be a whole number of seconds from 1000 to 60000 ms, got 61000'],
  ])('refuses %j', (settings, message) => {
    expect(() => engineConfig(settings)).toThrow(message);
  });

  test.each([
    [
      { shardCount: 1, periodSeconds: 60 },
      { windowMs: 60_000, lookAheadMs: 120_000, tickBudgetMs: 60_000, leaseMs: 72_000, batchConcurrency: 10, settleMs: 0 },
    ],
    [
      { shardCount: 100, periodSeconds: 1 },
      { windowMs: 1_000, lookAheadMs: 2_000, tickBudgetMs: 10_000, leaseMs: 10_200, batchConcurrency: 10, settleMs: 0 },
    ],
    [
      { shardCount: 4, periodSeconds: 300, batchConcurrency: 3, settleMs: 500, tickBudgetMs: 20_000 },
      { windowMs: 300_000, lookAheadMs: 360_000, tickBudgetMs: 20_000, leaseMs: 50_000, batchConcurrency: 3, settleMs: 500 },
    ],
    [
      { shardCount: 1, periodSeconds: 60, lookAheadMarginMs: 5_000 },
      { windowMs: 60_000, lookAheadMs: 65_000, tickBudgetMs: 60_000, leaseMs: 72_000, batchConcurrency: 10, settleMs: 0 },
    ],
    [
      { shardCount: 1, periodSeconds: 840, lookAheadMarginMs: 60_000 },
      { windowMs: 840_000, lookAheadMs: 900_000, tickBudgetMs: 840_000, leaseMs: 870_000, batchConcurrency: 10, settleMs: 0 },
    ],
    [
      { shardCount: 1, periodSeconds: 840 },
      { windowMs: 840_000, lookAheadMs: 900_000, tickBudgetMs: 840_000, leaseMs: 870_000, batchConcurrency: 10, settleMs: 0 },
    ],
  ])('derives %j', (settings, expected) => {
    expect(engineConfig(settings)).toMatchObject({
      shardCount: settings.shardCount,
      periodSeconds: settings.periodSeconds,
      oneShotRetentionMs: 86_400_000,
      ...expected,
    });
  });

  test('with the budget the construct sets (three quarters of the tick timeout, one period), a lease lapses before the next tick', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PERIOD_SECONDS / 60 }), (minutes) => {
        const periodMs = minutes * 60_000;
        const config = engineConfig({ shardCount: 1, periodSeconds: minutes * 60, tickBudgetMs: Math.floor(periodMs * 0.75) });
        expect(config.leaseMs).toBeLessThan(periodMs);
      }),
    );
  });

  test('the accepted extremes are accepted', () => {
    expect(engineConfig({ shardCount: MAX_SHARDS, periodSeconds: MAX_PERIOD_SECONDS, batchConcurrency: 1000 }).shardCount).toBe(100);
    expect(engineConfig({ shardCount: 1, periodSeconds: 1, batchConcurrency: 1, oneShotRetentionMs: 5 }).oneShotRetentionMs).toBe(5);
  });

  test('for every period the look-ahead spans one period plus a margin and fits the SQS delay limit; the lease outlives the budget', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_PERIOD_SECONDS }),
        fc.option(fc.integer({ min: 1, max: 900_000 }), { nil: undefined }),
        (periodSeconds, tickBudgetMs) => {
          const config = engineConfig({ shardCount: 1, periodSeconds, tickBudgetMs });
          expect(config.windowMs).toBe(periodSeconds * 1000);
          expect(config.lookAheadMs).toBeGreaterThan(config.windowMs);
          expect(config.lookAheadMs).toBeLessThanOrEqual(2 * config.windowMs);
          expect(config.lookAheadMs - config.windowMs).toBeLessThanOrEqual(60_000);
          expect(config.lookAheadMs).toBeLessThanOrEqual(Limits.MAX_SQS_DELAY_SECONDS * 1000);
          expect(config.leaseMs).toBeGreaterThan(config.tickBudgetMs);
          if (tickBudgetMs !== undefined) expect(config.tickBudgetMs).toBe(tickBudgetMs);
        },
      ),
    );
  });
});
