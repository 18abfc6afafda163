/**
 * The load test's stack: the recorder is the timer's callback, may write its deliveries table only, and is told where
 * to report; the table forgets its items; everything goes with the stack.
 */
import { App, CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LOAD_TEST_METRICS, LoadTestStack } from '../../loadtest/app';

test('four shards, the recorder as callback with where to report, a deliveries table with TTL, all destroyed with the stack', () => {
  const stack = new LoadTestStack(new App(), 'LoadTest', { env: { account: '111111111111', region: 'eu-west-1' } });
  const template = Template.fromStack(stack);
  template.resourceCountIs('AWS::Scheduler::Schedule', 4);
  const recorderId = stack.getLogicalId(stack.recorder.node.defaultChild as CfnElement);
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    FunctionName: { Ref: recorderId },
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
  const recorder = template.toJSON().Resources[recorderId].Properties;
  expect(recorder.Runtime).toBe('nodejs24.x');
  expect(Object.keys(recorder.Environment.Variables)).toContain('DELIVERIES_TABLE');
  template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
    KeySchema: [{ AttributeName: 'firingId', KeyType: 'HASH' }],
    TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
  });
  // The timer's table and the deliveries table; the timer's queue and its dead-letter queue.
  expect(Object.values(template.findResources('AWS::DynamoDB::GlobalTable')).map((r) => r.DeletionPolicy)).toEqual(['Delete', 'Delete']);
  expect(Object.values(template.findResources('AWS::SQS::Queue')).map((r) => r.DeletionPolicy)).toEqual(['Delete', 'Delete']);
  // What `artillery run -e aws` reads from the outputs file.
  for (const output of ['ApiUrl', 'QueueName', 'ServiceName']) template.hasOutput(output, {});
  template.hasOutput('MetricsNamespace', { Value: LOAD_TEST_METRICS.namespace });
});
