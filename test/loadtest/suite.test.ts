/**
 * The load test's run plan and journal: the window opens after creation's planned end (on a whole minute when
 * aligned), every drawn timer fires inside it alone, and the journal read back is what the worker threads wrote.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expectedPerMinute } from '../../loadtest/lib/expected';
import { drawOneShot, drawPeriodic, journalAttempt, journalCreated, planRun, PERIODIC_INTERVALS, putBody, readJournal, urlOf } from '../../loadtest/lib/suite';

const NOW = Date.UTC(2026, 11, 2, 7, 0, 12, 345);
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function plan(alignWindow: boolean, windowMinutes = 3) {
  const planned = planRun({ now: NOW, source: 'local', createSeconds: 150, slackSeconds: 20, windowMinutes, alignWindow, runId: 'r1' });
  dirs.push(planned.journalDir);
  return planned;
}

test.each([
  [true, '2026-12-02T07:04:00.000Z', '2026-12-02T07:07:00.000Z'],
  [false, '2026-12-02T07:03:03.000Z', '2026-12-02T07:06:03.000Z'],
])('aligned %s: the window opens after creation and its margin, and lasts windowMinutes', (align, from, to) => {
  const planned = plan(align);
  expect([new Date(planned.windowFrom).toISOString(), new Date(planned.windowTo).toISOString()]).toEqual([from, to]);
  expect(planned.idPrefix).toBe('lt-r1-');
  expect(fs.statSync(planned.journalDir).isDirectory()).toBe(true);
});

test('every drawn timer fires inside the window alone, and its PUT body says so', () => {
  const planned = plan(false, 2);
  const timers = Array.from({ length: 400 }, (_, i) => (i % 3 === 2 ? drawOneShot(planned) : drawPeriodic(planned)));
  // Inside the window: as many firings as far wider bounds give.
  const inside = Object.values(expectedPerMinute(timers, planned.windowFrom, planned.windowTo)).reduce((a, b) => a + b, 0);
  const wide = Object.values(expectedPerMinute(timers, planned.windowFrom - 3_600_000, planned.windowTo + 3_600_000)).reduce((a, b) => a + b, 0);
  expect(inside).toBe(wide);
  expect(inside).toBeGreaterThan(400);
  for (const timer of timers) {
    if (timer.kind === 'periodic') {
      expect(PERIODIC_INTERVALS).toContain(timer.interval);
      expect(timer.offset).toBeGreaterThanOrEqual(0);
      expect(timer.offset).toBeLessThan(timer.interval);
    }
  }
  const oneShot = timers.find((t) => t.kind === 'oneshot')!;
  expect(putBody(oneShot, { a: 1 })).toEqual({ timerCallbackData: { a: 1 }, at: new Date((oneShot as { fireAt: number }).fireAt).toISOString() });
  expect(new Set(timers.map((t) => t.id)).size).toBe(timers.length);
});

test('the journal reads back attempts, creations and their time span, from every thread file', () => {
  const planned = plan(true);
  const [a, b] = [drawPeriodic(planned), drawOneShot(planned)];
  journalAttempt(planned.journalDir, a);
  journalAttempt(planned.journalDir, b);
  journalCreated(planned.journalDir, a);
  // Another thread's file.
  fs.writeFileSync(path.join(planned.journalDir, '1-9.jsonl'), JSON.stringify({ a: { kind: 'oneshot', id: 'x' }, t: 5 }) + '\n');
  const journal = readJournal(planned.journalDir);
  expect(journal.attempted.map((t) => t.id).sort()).toEqual([a.id, b.id, 'x'].sort());
  expect(journal.created).toEqual([a]);
  expect(journal.firstAt).toBe(5);
  expect(journal.lastAt).toBeGreaterThan(5);
  expect(readJournal(path.join(os.tmpdir(), 'no-such-journal'))).toEqual({ attempted: [], created: [], firstAt: undefined, lastAt: undefined });
});

test.each([
  ['http://127.0.0.1:8787', 'http://127.0.0.1:8787/periodic/x'],
  ['https://abc.execute-api.eu-west-1.amazonaws.com/prod/', 'https://abc.execute-api.eu-west-1.amazonaws.com/prod/periodic/x'],
])('the API base %s joins a route as %s', (base, url) => {
  expect(urlOf(base, '/periodic/x')).toBe(url);
});
