/**
 * The load test's report for people: per minute of the window, the firings' lateness (p50, p99, max, against the p99
 * threshold) and the firings delivered against those expected, as one chart drawn in SVG. The HTML file holds the chart,
 * the verdict and the table; the PNG is the same chart, rendered by resvg (no browser needed).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface ReportRow {
  readonly minute: string;
  readonly expected: number;
  readonly count: number;
  readonly missing: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  readonly maxMs: number | null;
  readonly duplicates: number;
  readonly verdict: string;
}

export interface ReportInput {
  readonly title: string;
  /** Lines of context shown above the chart: target, run id, window, counts. */
  readonly facts: readonly string[];
  readonly rows: readonly ReportRow[];
  readonly p99ThresholdMs: number;
  readonly ok: boolean;
  readonly failures: readonly string[];
}

const WIDTH = 960;
const PLOT_LEFT = 80;
const PLOT_RIGHT = WIDTH - 130;
const LATENESS_TOP = 50;
const LATENESS_BOTTOM = 290;
const COUNT_TOP = 350;
const COUNT_BOTTOM = 530;
const HEIGHT = 580;
const SERIES = [
  { key: 'p50Ms', label: 'p50', color: '#2b8a3e' },
  { key: 'p99Ms', label: 'p99', color: '#e8590c' },
  { key: 'maxMs', label: 'max', color: '#862e9c' },
] as const;

const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A round upper bound for an axis: 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= value)!;
}

/**
 * The chart as a standalone SVG document. Lateness is on a logarithmic axis (1 ms to a power of ten above the
 * threshold and the worst firing), so that a few milliseconds and the threshold both read; 0 ms sits on 1 ms.
 */
export function chartSvg(input: ReportInput): string {
  const rows = input.rows;
  const n = Math.max(1, rows.length);
  const slot = (PLOT_RIGHT - PLOT_LEFT) / n;
  const xMid = (i: number): number => PLOT_LEFT + slot * (i + 0.5);
  const decades = Math.max(1, Math.ceil(Math.log10(Math.max(input.p99ThresholdMs * 2, ...rows.map((r) => r.maxMs ?? 0)))));
  const countMax = niceMax(Math.max(1, ...rows.map((r) => Math.max(r.count, r.expected))));
  const yLateness = (ms: number): number => LATENESS_BOTTOM - ((LATENESS_BOTTOM - LATENESS_TOP) * Math.log10(Math.max(1, ms))) / decades;
  const yCount = (count: number): number => COUNT_BOTTOM - ((COUNT_BOTTOM - COUNT_TOP) * count) / countMax;
  const parts: string[] = [];
  const text = (x: number, y: number, content: string, attrs = ''): void => {
    parts.push(`<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${escapeXml(content)}</text>`);
  };
  const axis = (top: number, bottom: number, ticks: readonly number[], y: (v: number) => number, unit: string): void => {
    for (const value of ticks) {
      parts.push(`<line x1="${PLOT_LEFT}" x2="${PLOT_RIGHT}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#dee2e6"/>`);
      text(PLOT_LEFT - 8, y(value) + 4, `${Number(value.toFixed(1))}${unit}`, 'text-anchor="end"');
    }
    parts.push(`<line x1="${PLOT_LEFT}" x2="${PLOT_LEFT}" y1="${top}" y2="${bottom}" stroke="#495057"/>`);
  };

  text(PLOT_LEFT, 30, 'Firing lateness per minute of ScheduledAt (delivery minus ScheduledAt, log scale)', 'font-weight="bold"');
  axis(LATENESS_TOP, LATENESS_BOTTOM, Array.from({ length: decades + 1 }, (_, k) => 10 ** k), yLateness, ' ms');
  const threshold = yLateness(input.p99ThresholdMs);
  parts.push(`<line x1="${PLOT_LEFT}" x2="${PLOT_RIGHT}" y1="${threshold.toFixed(1)}" y2="${threshold.toFixed(1)}" stroke="#c92a2a" stroke-dasharray="6 4"/>`);
  text(PLOT_RIGHT + 8, threshold + 4, `p99 limit ${input.p99ThresholdMs} ms`, 'fill="#c92a2a"');
  SERIES.forEach((series, s) => {
    const points = rows.flatMap((r, i) => (r[series.key] === null ? [] : [[xMid(i), yLateness(r[series.key]!)]]));
    if (points.length > 1) {
      parts.push(`<polyline fill="none" stroke="${series.color}" stroke-width="2" points="${points.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`);
    }
    for (const [x, y] of points) parts.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="${series.color}"/>`);
    const legendY = LATENESS_BOTTOM - 70 + 20 * s;
    parts.push(`<rect x="${PLOT_RIGHT + 8}" y="${legendY}" width="12" height="12" fill="${series.color}"/>`);
    text(PLOT_RIGHT + 26, legendY + 11, series.label);
  });

  text(PLOT_LEFT, COUNT_TOP - 20, 'Firings per minute: delivered (bars) and expected (marks)', 'font-weight="bold"');
  axis(COUNT_TOP, COUNT_BOTTOM, [0, 1, 2, 3, 4].map((k) => (countMax * k) / 4), yCount, '');
  rows.forEach((r, i) => {
    const failed = r.verdict !== 'ok';
    const barWidth = Math.max(2, slot * 0.6);
    parts.push(`<rect x="${(xMid(i) - barWidth / 2).toFixed(1)}" y="${yCount(r.count).toFixed(1)}" width="${barWidth.toFixed(1)}" ` +
      `height="${(COUNT_BOTTOM - yCount(r.count)).toFixed(1)}" fill="${failed ? '#ffa8a8' : '#74c0fc'}"/>`);
    parts.push(`<line x1="${(xMid(i) - slot * 0.4).toFixed(1)}" x2="${(xMid(i) + slot * 0.4).toFixed(1)}" y1="${yCount(r.expected).toFixed(1)}" ` +
      `y2="${yCount(r.expected).toFixed(1)}" stroke="#212529" stroke-width="2"/>`);
    const every = Math.ceil(n / 12);
    if (i % every === 0) text(xMid(i), COUNT_BOTTOM + 18, r.minute.slice(11, 16), 'text-anchor="middle"');
  });
  text(PLOT_RIGHT + 8, COUNT_BOTTOM + 18, 'UTC');

  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" ` +
    'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12" fill="#212529">' +
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>${parts.join('')}</svg>`;
}

export function reportHtml(input: ReportInput, svg: string): string {
  const cell = (value: unknown): string => `<td>${escapeXml(value === null ? '-' : String(value))}</td>`;
  const rows = input.rows.map((r) => `<tr class="${r.verdict === 'ok' ? 'ok' : 'fail'}">` +
    [r.minute, r.expected, r.count, r.missing, r.p50Ms, r.p99Ms, r.maxMs, r.duplicates, r.verdict].map(cell).join('') + '</tr>').join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeXml(input.title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2em;color:#212529}table{border-collapse:collapse}td,th{padding:2px 10px;text-align:right}
th{border-bottom:1px solid #495057}tr.fail{background:#fff0f0}.verdict{font-weight:bold;color:${input.ok ? '#2b8a3e' : '#c92a2a'}}</style></head>
<body><h1>${escapeXml(input.title)}</h1>
<p class="verdict">${input.ok ? 'PASS' : 'FAIL'}</p>
<ul>${input.facts.map((f) => `<li>${escapeXml(f)}</li>`).join('')}${input.failures.map((f) => `<li>fail: ${escapeXml(f)}</li>`).join('')}</ul>
${svg}
<table><thead><tr><th>minute</th><th>expected</th><th>delivered</th><th>missing</th><th>p50 ms</th><th>p99 ms</th><th>max ms</th><th>duplicates</th><th>verdict</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}

/** Writes `{base}.html` and `{base}.png` in `dir`; answers their paths. */
export function writeReport(dir: string, base: string, input: ReportInput): { html: string; png: string } {
  fs.mkdirSync(dir, { recursive: true });
  const svg = chartSvg(input);
  const html = path.join(dir, `${base}.html`);
  const png = path.join(dir, `${base}.png`);
  fs.writeFileSync(html, reportHtml(input, svg));
  // Loaded here: a native module, installed with the load test's own dependencies.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  fs.writeFileSync(png, new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng());
  return { html, png };
}
