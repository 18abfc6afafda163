/**
 * The in-memory visibility schedule of the local queue (src/local/visibility.ts), checked against a plain model:
 * whatever sequence of sets, deletes, takes and restores, it hands out exactly the messages visible by then, earliest
 * first (ties by row id), each once, and reports the earliest time of the messages it still holds.
 */
import fc from 'fast-check';
import { VisibilitySchedule } from '../../src/local/visibility';

type Op =
  | { readonly kind: 'set'; readonly seq: number; readonly at: number }
  | { readonly kind: 'delete'; readonly seq: number }
  | { readonly kind: 'take'; readonly now: number; readonly max: number; readonly then: 'restore' | 'reschedule'; readonly by: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), seq: fc.integer({ min: 1, max: 12 }), at: fc.integer({ min: 0, max: 15 }) }),
  fc.record({ kind: fc.constant('delete' as const), seq: fc.integer({ min: 1, max: 12 }) }),
  fc.record({
    kind: fc.constant('take' as const),
    now: fc.integer({ min: 0, max: 20 }),
    max: fc.integer({ min: 1, max: 10 }),
    then: fc.constantFrom('restore' as const, 'reschedule' as const),
    by: fc.integer({ min: 0, max: 20 }),
  }),
);

describe('VisibilitySchedule', () => {
  test('hands out due messages in (time, id) order, each once, as a plain model does', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const schedule = new VisibilitySchedule();
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            schedule.set(o.seq, o.at);
            model.set(o.seq, o.at);
          } else if (o.kind === 'delete') {
            schedule.delete(o.seq);
            model.delete(o.seq);
          } else {
            const expected = [...model]
              .filter(([, at]) => at <= o.now)
              .sort((a, b) => a[1] - b[1] || a[0] - b[0])
              .slice(0, o.max)
              .map(([seq]) => seq);
            const taken = schedule.takeDue(o.now, o.max);
            expect(taken).toEqual(expected);
            if (o.then === 'restore') {
              schedule.restore(taken);
            } else {
              // As a claim does: each taken message becomes visible again later.
              for (const seq of taken) {
                schedule.set(seq, o.now + o.by);
                model.set(seq, o.now + o.by);
              }
            }
          }
          expect(schedule.size).toBe(model.size);
          const earliest = model.size === 0 ? undefined : Math.min(...model.values());
          expect(schedule.earliest()).toBe(earliest);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('after many changes of time for few messages, each is handed out once, at its last time', () => {
    const schedule = new VisibilitySchedule();
    for (let round = 0; round < 10_000; round++) schedule.set(round % 3, 10_000 - round);
    expect(schedule.size).toBe(3);
    // The last times: message 0 at 1, message 2 at 2, message 1 at 3.
    expect(schedule.takeDue(Infinity, 10)).toEqual([0, 2, 1]);
    expect(schedule.earliest()).toBeUndefined();
  });
});
