/**
 * The stack the load test runs against on AWS: a `ServerlessTimer` with four shards whose callback is the load test's
 * recorder (`recorder.js`), which reports each firing's delivery lateness and the duplicate deliveries as CloudWatch
 * metrics (namespace `ServerlessTimerLoadTest`, dimension `Service=loadtest`), read back by `lib/cloudwatch.js`.
 * Everything is destroyed with the stack.
 *
 *   npx aws-cdk deploy --app "npx tsx loadtest/app.ts"     # from the repository root
 *   npx aws-cdk destroy --app "npx tsx loadtest/app.ts"
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ServerlessTimer } from '../src';
import { MessageAttribute } from '../src/core/names';

/** Where the recorder's metrics are, for `lib/cloudwatch.js`. */
export const LOAD_TEST_METRICS = {
  namespace: 'ServerlessTimerLoadTest',
  dimensions: { Service: 'loadtest' },
  latency: 'DeliveryLateness',
  duplicates: 'DuplicateDeliveries',
} as const;

export class LoadTestStack extends Stack {
  readonly timer: ServerlessTimer;
  readonly recorder: lambda.Function;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // One item per firing delivered, kept two days: a second delivery of a firing finds it and counts as a duplicate.
    const deliveries = new dynamodb.TableV2(this, 'Deliveries', {
      partitionKey: { name: 'firingId', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.recorder = new lambda.Function(this, 'Recorder', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline(fs.readFileSync(path.join(__dirname, 'recorder.js'), 'utf8')),
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: {
        DELIVERIES_TABLE: deliveries.tableName,
        MESSAGE_ATTRIBUTES: JSON.stringify(MessageAttribute),
        METRICS_NAMESPACE: LOAD_TEST_METRICS.namespace,
        METRICS_SERVICE: LOAD_TEST_METRICS.dimensions.Service,
      },
      logGroup: new logs.LogGroup(this, 'RecorderLogs', { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY }),
    });
    deliveries.grantWriteData(this.recorder);
    this.timer = new ServerlessTimer(this, 'Timer', {
      shardCount: 4,
      callback: this.recorder,
      removalPolicy: RemovalPolicy.DESTROY,
      logRetention: logs.RetentionDays.ONE_WEEK,
      serviceName: 'loadtest-timers',
      dashboard: true,
    });
    new CfnOutput(this, 'ApiUrl', { value: this.timer.apiUrl, description: 'The timer API the load test calls (SigV4)' });
    new CfnOutput(this, 'MetricsNamespace', { value: LOAD_TEST_METRICS.namespace });
  }
}

if (require.main === module) {
  const app = new App();
  new LoadTestStack(app, 'ServerlessTimerLoadTest', {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  app.synth();
}
