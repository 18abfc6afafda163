/**
 * The checks of user-set prop values that every part of a `ServerlessTimer` applies: a value the CDK cannot see yet
 * (a token) passes; a known value outside its range throws, naming the prop, the value received and what is allowed.
 */
import { Duration, Token } from 'aws-cdk-lib';

/** Throws unless `value` (when set and known) is a whole number in [min, max]. */
export function checkWhole(name: string, value: number | undefined, min: number, max: number, hint: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be a whole number from ${min} to ${max}, got ${value}: ${hint}`);
  }
}

/** Throws unless `value` (when set and known) lies in [min, max] seconds. */
export function checkSeconds(name: string, value: Duration | undefined, min: number, max: number, hint: string): void {
  if (value === undefined || value.isUnresolved()) return;
  const seconds = value.toSeconds();
  if (seconds < min || seconds > max) {
    throw new Error(`${name} must be from ${min} to ${max} seconds, got ${seconds} seconds: ${hint}`);
  }
}

/** An environment value from a number that may be a token. */
export function numberString(value: number): string {
  return Token.isUnresolved(value) ? Token.asString(value) : String(value);
}
