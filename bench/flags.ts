/**
 * Reading the benchmarks' flags (`--timers 300000`), with errors that say what was given and what is allowed.
 */
import { parseArgs } from 'util';

/** The `--name value` flags of a benchmark, as given; `--help` prints the usage and exits. */
export function parseFlags<Name extends string>(argv: string[], names: readonly Name[], usage: string): Partial<Record<Name, string>> {
  const { values } = parseArgs({
    args: argv,
    options: { ...Object.fromEntries(names.map((name) => [name, { type: 'string' as const }])), help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  return values as Partial<Record<Name, string>>;
}

/** A whole-number flag from `min` to `max`; `fallback` when it is absent. */
export function wholeFlag(name: string, text: string | undefined, fallback: number, min: number, max: number, usage: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`--${name} must be a whole number from ${min} to ${max}, got "${text}"\n${usage}`);
  }
  return value;
}

/** A number flag from `min` to `max` (fractions allowed); `fallback` when it is absent. */
export function numberFlag(name: string, text: string | undefined, fallback: number, min: number, max: number, usage: string): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min || value > max) {
    throw new Error(`--${name} must be a number from ${min} to ${max}, got "${text}"\n${usage}`);
  }
  return value;
}
