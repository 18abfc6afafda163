/**
 * The load test's report: the HTML holds the verdict, the facts and one table row per minute around the chart; the
 * chart draws each lateness series, one bar per minute (failed minutes apart) and the threshold; the PNG is a PNG.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chartSvg, ReportInput, writeReport } from '../../loadtest/lib/report';

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  const rows = [0, 1, 2].map((i) => ({
    minute: `2026-12-02T07:1${i}:00.000Z`,
    expected: 1000,
    count: i === 1 ? 900 : 1000,
    missing: i === 1 ? 100 : 0,
    p50Ms: 10,
    p99Ms: i === 1 ? 4_200 : 30,
    maxMs: i === 1 ? 9_000 : 40,
    duplicates: 0,
    verdict: i === 1 ? 'missing 100 of 1000 firings; late: p99 4200 ms > 1000 ms' : 'ok',
  }));
  return { title: 'run abc', facts: ['target http://127.0.0.1:8787 (local)'], rows, p99ThresholdMs: 1000, ok: false, failures: ['07:11: late'], ...overrides };
}

test('the chart has a line per lateness series, a bar and an expected mark per minute, failed minutes in their own colour', () => {
  const svg = chartSvg(input());
  expect(svg.match(/<polyline /g)).toHaveLength(3);
  expect(svg.match(/fill="#ffa8a8"/g)).toHaveLength(1);
  expect(svg.match(/fill="#74c0fc"/g)).toHaveLength(2);
  expect(svg).toContain('p99 limit 1000 ms');
  // A log axis from 1 ms to the first power of ten above the worst firing.
  expect(svg).toContain('>10000 ms<');
  expect(svg).toContain('>1 ms<');
});

test('a minute without deliveries draws no point, and text is escaped', () => {
  const base = input();
  const rows = [{ ...base.rows[0], count: 0, p50Ms: null, p99Ms: null, maxMs: null }, base.rows[2]];
  const svg = chartSvg({ ...base, rows, title: '<script>' });
  expect(svg.match(/<circle /g)).toHaveLength(3);
  expect(svg).not.toContain('<script>');
});

test('the HTML and the PNG are written side by side', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loadtest-report-'));
  try {
    const written = writeReport(dir, 'smoke', input());
    expect(written).toEqual({ html: path.join(dir, 'smoke.html'), png: path.join(dir, 'smoke.png') });
    const html = fs.readFileSync(written.html, 'utf8');
    expect(html).toContain('<p class="verdict">FAIL</p>');
    expect(html).toContain('<li>fail: 07:11: late</li>');
    expect(html.match(/<tr class="(ok|fail)">/g)).toEqual(['<tr class="ok">', '<tr class="fail">', '<tr class="ok">']);
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    const png = fs.readFileSync(written.png);
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    // Width and height from the IHDR chunk: the chart's size.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([960, 580]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
