/**
 * The filter that keeps aws-cdk-lib's own `TableV2` deprecation warnings out of the test output drops exactly those two
 * and lets every other warning through.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { dropUpstreamTableV2Deprecations, isUpstreamTableV2Deprecation } from '../support/upstream-deprecations';

const message = (name: string) => `aws-cdk-lib.${name} is deprecated.\n  - Leave this field undefined.\n  This API will be removed in the next major release.`;

test('the two TableV2 grant props are recognized, nothing else is', () => {
  expect(isUpstreamTableV2Deprecation(['[WARNING]', message('aws_dynamodb.TableGrantsProps#encryptedResource')])).toBe(true);
  expect(isUpstreamTableV2Deprecation(['[WARNING]', message('aws_dynamodb.TableGrantsProps#policyResource')])).toBe(true);
  expect(isUpstreamTableV2Deprecation(['[WARNING]', message('aws_dynamodb.TableGrantsProps#table')])).toBe(false);
  expect(isUpstreamTableV2Deprecation(['[WARNING]', message('aws_dynamodb.TableProps#pointInTimeRecovery')])).toBe(false);
  expect(isUpstreamTableV2Deprecation([message('aws_dynamodb.TableGrantsProps#encryptedResource')])).toBe(false);
  expect(isUpstreamTableV2Deprecation(['something else'])).toBe(false);
});

test('a synthesis of a TableV2 warns nothing through the filter, and other warnings still pass', () => {
  // GIVEN a console whose warnings are recorded, filtered as the test setup filters the real one
  const seen: unknown[][] = [];
  const target = { warn: (...args: unknown[]) => { seen.push(args); } };
  dropUpstreamTableV2Deprecations(target);
  const realWarn = console.warn;
  console.warn = target.warn;
  try {
    // WHEN
    const stack = new Stack(new App(), 'Stack');
    new dynamodb.TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } });
    console.warn('[WARNING]', message('aws_lambda.FunctionOptions#logRetention'));
  } finally {
    console.warn = realWarn;
  }
  // THEN
  expect(seen).toEqual([['[WARNING]', message('aws_lambda.FunctionOptions#logRetention')]]);
});
