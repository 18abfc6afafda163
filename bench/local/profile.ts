/**
 * Reads the V8 CPU profile a runtime wrote under `--profile` (`node --cpu-prof`) and lists where its time went:
 * self time by function, and total time of the engine's and the runtime's own modules, so that a missed target can
 * be traced to the code that costs it rather than guessed at.
 */
import * as fs from 'fs';
import * as path from 'path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

function label(node: ProfileNode, root: string): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.startsWith('file://') ? path.relative(root, url.slice('file://'.length)) : url;
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

/** The `top` functions by self time, and the share of samples spent in each source area, as printable lines. */
export function summariseProfile(file: string, root: string, top = 15): string[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;

  const byFunction = new Map<string, number>();
  const byArea = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const name = label(node, root);
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const url = node.callFrame.url;
    const area = /src\/core\//.test(url)
      ? 'engine (src/core)'
      : /src\/local\//.test(url)
        ? 'runtime (src/local)'
        : /better-sqlite3/.test(url)
          ? 'better-sqlite3'
          : /node_modules/.test(url)
            ? 'other node_modules'
            : url.startsWith('node:')
              ? 'node internals (http, streams, timers)'
              : node.callFrame.functionName === '(idle)'
                ? 'idle'
                : node.callFrame.functionName === '(garbage collector)'
                  ? 'garbage collector'
                  : url === ''
                    ? 'native / V8 (incl. SQLite calls)'
                    : 'other';
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }
  const pct = (us: number): string => `${((100 * us) / totalUs).toFixed(1)}%`;
  const lines = [`profile ${path.basename(file)}: ${(totalUs / 1e6).toFixed(1)} s of wall time`];
  for (const [area, us] of [...byArea].sort((a, b) => b[1] - a[1])) lines.push(`  ${pct(us).padStart(6)}  ${area}`);
  lines.push('  top functions by self time:');
  for (const [name, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(us).padStart(6)}  ${name}`);
  return lines;
}
