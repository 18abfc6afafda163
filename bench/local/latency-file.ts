/**
 * The benchmark's side of the recorder (`recorder.ts`): reads the lines the runtime's callback appends to the
 * latency file, from where it stopped last time, and feeds each firing into a measurement window.
 */
import * as fs from 'fs';

export class LatencyFileReader {
  private position = 0;
  private partial = '';

  constructor(private readonly file: string) {
    fs.writeFileSync(file, '');
  }

  /** Reads what was appended since the last call; returns how many firings were read. */
  drain(onFiring: (scheduledAt: number, latenessMs: number) => void): number {
    const size = fs.statSync(this.file).size;
    if (size <= this.position) return 0;
    const buffer = Buffer.alloc(size - this.position);
    const fd = fs.openSync(this.file, 'r');
    try {
      fs.readSync(fd, buffer, 0, buffer.length, this.position);
    } finally {
      fs.closeSync(fd);
    }
    this.position = size;
    const text = this.partial + buffer.toString('utf8');
    const lines = text.split('\n');
    // The writer appends whole lines, but a read may still land between two appends of one flush.
    this.partial = lines.pop() ?? '';
    let count = 0;
    for (const line of lines) {
      const space = line.indexOf(' ');
      if (space < 0) continue;
      onFiring(Number(line.slice(0, space)), Number(line.slice(space + 1)));
      count++;
    }
    return count;
  }
}
