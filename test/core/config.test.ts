/**
 * Engine settings (src/core/config.ts): the ranges they are checked against and the values derived from them
 * (window, look-ahead and the API's direct sends within SQS's 900 s delay, the lag tolerance, the lease).
 */
import fc from 'fast-check';
import { MAX_PERIOD_SECONDS, MAX_SHARDS, engineConfig, indexLagToleranceFor } from '../../src/core/config';
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
    [{ shardCount: 1, periodSeconds: 60, indexLagToleranceMs: 1500 }, 'indexLagToleranceMs must be a whole number of seconds from 0 to 899000 ms, got 1500'],
    [{ shardCount: 1, periodSeconds: 60, createWithinMs: -1000 }, 'createWithinMs must be a whole number of seconds from 0 to 899000 ms, got -1000'],
    [
      { shardCount: 1, periodSeconds: 840, lookAheadMarginMs: 60_000 },
      'the period (840000 ms), lookAheadMarginMs (60000), indexLagToleranceMs (0) and createWithinMs (15000) add up to 915000 ms: at most 899000 ms fit',
    ],
    [{ shardCount: 1, periodSeconds: 840, indexLagToleranceMs: 60_000 }, 'lookAheadMarginMs must be a whole number of seconds from 1000 to 60000 ms, got -16000'],
  ])('refuses %j, saying what fits', (settings, message) => {
    expect(() => engineConfig(settings)).toThrow(message);
  });

  test.each([
    [
      { shardCount: 1, periodSeconds: 60 },
      {
        windowMs: 60_000,
        lookAheadMs: 120_000,
        directSendMs: 135_000,
        leaseMs: 120_000,
        batchConcurrency: 10,
        indexLagToleranceMs: 0,
        createWithinMs: 15_000,
        initialCatchUpMs: 3_600_000,
      },
    ],
    [
      { shardCount: 100, periodSeconds: 1 },
      { windowMs: 1_000, lookAheadMs: 2_000, directSendMs: 17_000, leaseMs: 30_000, batchConcurrency: 10 },
    ],
    [
      { shardCount: 4, periodSeconds: 300, batchConcurrency: 3, indexLagToleranceMs: 45_000, leaseMs: 50_000 },
      { windowMs: 300_000, lookAheadMs: 360_000, directSendMs: 420_000, leaseMs: 50_000, batchConcurrency: 3, indexLagToleranceMs: 45_000 },
    ],
    [
      { shardCount: 1, periodSeconds: 60, lookAheadMarginMs: 5_000, createWithinMs: 2_000 },
      { windowMs: 60_000, lookAheadMs: 65_000, directSendMs: 67_000 },
    ],
    [
      // The longest period: what SQS's 900 s (less a second for rounding) leave after it and a PUT's 15 s is the margin.
      { shardCount: 1, periodSeconds: 840 },
      { windowMs: 840_000, lookAheadMs: 884_000, directSendMs: 899_000 },
    ],
    [
      { shardCount: 1, periodSeconds: 840, indexLagToleranceMs: indexLagToleranceFor(840) },
      { windowMs: 840_000, lookAheadMs: 862_000, indexLagToleranceMs: 22_000, directSendMs: 899_000 },
    ],
  ])('derives %j', (settings, expected) => {
    expect(engineConfig(settings)).toMatchObject({
      shardCount: settings.shardCount,
      periodSeconds: settings.periodSeconds,
      oneShotRetentionMs: 86_400_000,
      ...expected,
    });
  });

  test('the accepted extremes are accepted', () => {
    expect(engineConfig({ shardCount: MAX_SHARDS, periodSeconds: MAX_PERIOD_SECONDS, batchConcurrency: 1000 }).shardCount).toBe(100);
    expect(engineConfig({ shardCount: 1, periodSeconds: 1, batchConcurrency: 1, oneShotRetentionMs: 5 }).oneShotRetentionMs).toBe(5);
  });

  test('the lag tolerance a deployment gets: 45 s up to a 12-minute period, less beyond, and always a margin as large', () => {
    expect(indexLagToleranceFor(60)).toBe(45_000);
    expect(indexLagToleranceFor(720)).toBe(45_000);
    expect(indexLagToleranceFor(780)).toBe(45_000);
    expect(indexLagToleranceFor(840)).toBe(22_000);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PERIOD_SECONDS / 60 }), (minutes) => {
        const lag = indexLagToleranceFor(minutes * 60);
        const config = engineConfig({ shardCount: 1, periodSeconds: minutes * 60, indexLagToleranceMs: lag });
        expect(config.lookAheadMs - config.windowMs).toBeGreaterThanOrEqual(Math.min(lag, 60_000));
      }),
    );
  });

  test('for every period and tolerance, a tick looks one period plus a margin ahead and the API sends within SQS\'s 900 s', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_PERIOD_SECONDS }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 15 }),
        (periodSeconds, lagSeconds, createSeconds) => {
          let config;
          try {
            config = engineConfig({ shardCount: 1, periodSeconds, indexLagToleranceMs: lagSeconds * 1000, createWithinMs: createSeconds * 1000 });
          } catch (err) {
            // Refused only when no margin of a second fits.
            expect(periodSeconds + lagSeconds + createSeconds + 1).toBeGreaterThan(899);
            expect(String(err)).toMatch(/lookAheadMarginMs/);
            return;
          }
          expect(config.windowMs).toBe(periodSeconds * 1000);
          expect(config.lookAheadMs).toBeGreaterThan(config.windowMs);
          expect(config.lookAheadMs - config.windowMs).toBeLessThanOrEqual(Math.min(60_000, config.windowMs));
          expect(config.directSendMs).toBe(config.lookAheadMs + lagSeconds * 1000 + createSeconds * 1000);
          expect(config.directSendMs).toBeLessThanOrEqual(Limits.MAX_SQS_DELAY_SECONDS * 1000);
        },
      ),
    );
  });
});
