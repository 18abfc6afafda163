/**
 * The stack the load test runs against on AWS: a `ServerlessTimer` with four shards whose callback is the load test's
 * recorder (`recorder.ts`), which reports each firing's delivery lateness, the firings and the duplicate deliveries as
 * CloudWatch metrics (namespace `ServerlessTimerLoadTest`, dimensions `Service=loadtest` and `Run`), read back by
 * `lib/cloudwatch.js`. Its outputs (API URL, queue name, service name) are what `artillery run -e aws` reads from
 * `loadtest/aws-outputs.json`. Everything is destroyed with the stack.
 *
 *   npx aws-cdk deploy --app "npx tsx loadtest/app.ts" --outputs-file loadtest/aws-outputs.json   # from the repository root
 *   npx aws-cdk destroy --app "npx tsx loadtest/app.ts"
 */
import * as path from 'path';
import { App, CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ServerlessTimer } from '../src';
import { LOAD_TEST_METRICS, LOAD_TEST_SERVICE_NAME } from './lib/names';

export { LOAD_TEST_METRICS } from './lib/names';

export class LoadTestStack extends Stack {
  readonly timer: ServerlessTimer;
  readonly recorder: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    // One item per firing delivered, kept two days: a second delivery of a firing finds it and counts as a duplicate.
    const deliveries = new dynamodb.TableV2(this, 'Deliveries', {
      partitionKey: { name: 'firingId', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Bundled with esbuild (a devDependency of the repository): Powertools Metrics goes in, the AWS SDK is the runtime's.
    this.recorder = new nodejs.NodejsFunction(this, 'Recorder', {
      entry: path.join(__dirname, 'recorder.ts'),
      projectRoot: path.join(__dirname, '..'),
      depsLockFilePath: path.join(__dirname, '..', 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      memorySize: 512,
      timeout: Duration.seconds(30),
      environment: { DELIVERIES_TABLE: deliveries.tableName },
      bundling: { externalModules: ['@aws-sdk/*'] },
      logGroup: new logs.LogGroup(this, 'RecorderLogs', { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: RemovalPolicy.DESTROY }),
    });
    deliveries.grantWriteData(this.recorder);
    this.timer = new ServerlessTimer(this, 'Timer', {
      shardCount: 4,
      callback: this.recorder,
      removalPolicy: RemovalPolicy.DESTROY,
      logRetention: logs.RetentionDays.ONE_WEEK,
      serviceName: LOAD_TEST_SERVICE_NAME,
      dashboard: true,
    });
    new CfnOutput(this, 'ApiUrl', { value: this.timer.apiUrl, description: 'The timer API the load test calls (SigV4)' });
    new CfnOutput(this, 'QueueName', { value: this.timer.queue.queueName, description: 'The firings queue (ApproximateAgeOfOldestMessage)' });
    new CfnOutput(this, 'ServiceName', { value: this.timer.serviceName, description: 'The Service dimension of the timer\'s metrics' });
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
