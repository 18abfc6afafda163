/**
 * aws-cdk-lib 2.257 builds its own `TableV2` with two deprecated `TableGrantsProps` (`encryptedResource`,
 * `policyResource`), and jsii prints a deprecation warning for each on every synthesis: thousands of lines in a test
 * run that say nothing about this code. 2.258 fixes it, but writes cloud assembly schema 54, which the newest
 * integ-runner (2.197.10, schema 53) cannot read (see the README's "Toolchain"). Exactly those two warnings are
 * dropped; every other one, a deprecation in a call of ours included, still prints.
 */

const UPSTREAM_TABLE_V2 = /^aws-cdk-lib\.aws_dynamodb\.TableGrantsProps#(encryptedResource|policyResource) is deprecated\./;

/** Whether `console.warn` was called with one of the two warnings aws-cdk-lib's own `TableV2` causes. */
export function isUpstreamTableV2Deprecation(args: readonly unknown[]): boolean {
  return args.length === 2 && args[0] === '[WARNING]' && typeof args[1] === 'string' && UPSTREAM_TABLE_V2.test(args[1]);
}

/** Wraps `target.warn` so that it drops those two warnings and passes every other call through. */
export function dropUpstreamTableV2Deprecations(target: Pick<Console, 'warn'>): void {
  const warn = target.warn.bind(target);
  target.warn = (...args: unknown[]) => {
    if (!isUpstreamTableV2Deprecation(args)) warn(...args);
  };
}
