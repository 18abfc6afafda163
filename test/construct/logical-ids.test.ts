/**
 * Construct IDs are a public contract: a logical ID that changes makes CloudFormation replace the resource in every
 * user's stack (a new, empty table; new queues, dropping what they hold). The lists below were synthesized from the
 * construct as one class, before it was split into parts; every resource they name must still exist, with the same
 * type. New resources may be added.
 */
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { TimerDeadLetterQueue, ServerlessTimer, ServerlessTimerProps } from '../../src';

/**
 * `new ServerlessTimer(stack, 'Timer')`, nothing else. The access log group left the defaults when stage access logs
 * became opt-in (`apiAccessLogs`, since they need an account setting a fresh account lacks); the full-option stack
 * still has it under its ID.
 */
const DEFAULT_STACK: Record<string, string> = {
  TimerApi7BCB004E: 'AWS::ApiGateway::RestApi',
  TimerApiDeployment542BAB8Ccfcd55e5787bd55b0ddfcd29b901c45e: 'AWS::ApiGateway::Deployment',
  TimerApiDeploymentStageprodF28BBF5F: 'AWS::ApiGateway::Stage',
  TimerApiHandler0513A04D: 'AWS::Lambda::Function',
  TimerApiHandlerLogsE4191E93: 'AWS::Logs::LogGroup',
  TimerApiHandlerRoleDB0D2220: 'AWS::IAM::Role',
  TimerApiHandlerRoleDefaultPolicyB3B15097: 'AWS::IAM::Policy',
  TimerApiRequestValidatorAB5A28FB: 'AWS::ApiGateway::RequestValidator',
  TimerApioneshot419C2ACD: 'AWS::ApiGateway::Resource',
  TimerApioneshotid7C25F354: 'AWS::ApiGateway::Resource',
  TimerApioneshotidDELETEApiPermissionStackTimerApi079B9A1EDELETEoneshotidFE673C0E: 'AWS::Lambda::Permission',
  TimerApioneshotidDELETEApiPermissionTestStackTimerApi079B9A1EDELETEoneshotidB2D01B1D: 'AWS::Lambda::Permission',
  TimerApioneshotidDELETEFC96C893: 'AWS::ApiGateway::Method',
  TimerApioneshotidGET08D802D5: 'AWS::ApiGateway::Method',
  TimerApioneshotidGETApiPermissionStackTimerApi079B9A1EGEToneshotid941DE47A: 'AWS::Lambda::Permission',
  TimerApioneshotidGETApiPermissionTestStackTimerApi079B9A1EGEToneshotid61D60342: 'AWS::Lambda::Permission',
  TimerApioneshotidPUT5C006A69: 'AWS::ApiGateway::Method',
  TimerApioneshotidPUTApiPermissionStackTimerApi079B9A1EPUToneshotid9E13175C: 'AWS::Lambda::Permission',
  TimerApioneshotidPUTApiPermissionTestStackTimerApi079B9A1EPUToneshotid5BFC3DBA: 'AWS::Lambda::Permission',
  TimerApiperiodic362ED7F1: 'AWS::ApiGateway::Resource',
  TimerApiperiodicid7BEF4B82: 'AWS::ApiGateway::Resource',
  TimerApiperiodicidDELETE65CB3DDD: 'AWS::ApiGateway::Method',
  TimerApiperiodicidDELETEApiPermissionStackTimerApi079B9A1EDELETEperiodicidEF625362: 'AWS::Lambda::Permission',
  TimerApiperiodicidDELETEApiPermissionTestStackTimerApi079B9A1EDELETEperiodicid756DD751: 'AWS::Lambda::Permission',
  TimerApiperiodicidGETApiPermissionStackTimerApi079B9A1EGETperiodicid6D694662: 'AWS::Lambda::Permission',
  TimerApiperiodicidGETApiPermissionTestStackTimerApi079B9A1EGETperiodicid057BC871: 'AWS::Lambda::Permission',
  TimerApiperiodicidGETE46B6DF8: 'AWS::ApiGateway::Method',
  TimerApiperiodicidPUT4199460E: 'AWS::ApiGateway::Method',
  TimerApiperiodicidPUTApiPermissionStackTimerApi079B9A1EPUTperiodicidC2917245: 'AWS::Lambda::Permission',
  TimerApiperiodicidPUTApiPermissionTestStackTimerApi079B9A1EPUTperiodicidC9B0E430: 'AWS::Lambda::Permission',
  TimerDeadLetterAlarm3F075ADE: 'AWS::CloudWatch::Alarm',
  TimerDeadLetterQueue722415CE: 'AWS::SQS::Queue',
  TimerDeadLetterQueuePolicyA38B4D72: 'AWS::SQS::QueuePolicy',
  TimerLateFiringsAlarm471A4617: 'AWS::CloudWatch::Alarm',
  TimerQueueE853384C: 'AWS::SQS::Queue',
  TimerQueuePolicyF00F4DC8: 'AWS::SQS::QueuePolicy',
  TimerTableA9D0FD83: 'AWS::DynamoDB::GlobalTable',
  TimerTickErrorsAlarm4B94007B: 'AWS::CloudWatch::Alarm',
  TimerTickHandlerEventInvokeConfig24611438: 'AWS::Lambda::EventInvokeConfig',
  TimerTickHandlerFFC0690D: 'AWS::Lambda::Function',
  TimerTickHandlerLogs86A9C865: 'AWS::Logs::LogGroup',
  TimerTickHandlerRole1014775A: 'AWS::IAM::Role',
  TimerTickHandlerRoleDefaultPolicy968C1489: 'AWS::IAM::Policy',
  TimerTickSchedule0CE765634: 'AWS::Scheduler::Schedule',
  TimerTickSchedulerRole4354A2F9: 'AWS::IAM::Role',
  TimerTickSchedulerRoleDefaultPolicy15724ED4: 'AWS::IAM::Policy',
};

/** Every option that adds or changes resources: see `fullOptions` below. */
const FULL_OPTION_STACK: Record<string, string> = {
  Callback201C9CD5: 'AWS::Lambda::Function',
  CallbackServiceRoleBE1626EA: 'AWS::IAM::Role',
  CallbackServiceRoleDefaultPolicy6C03FC27: 'AWS::IAM::Policy',
  CallbackSqsEventSourceStackTimerQueueCAD30D7B2C987510: 'AWS::Lambda::EventSourceMapping',
  Key961B73FD: 'AWS::KMS::Key',
  TimerApi7BCB004E: 'AWS::ApiGateway::RestApi',
  TimerApiAccessLogs6D3E188F: 'AWS::Logs::LogGroup',
  TimerApiDeployment542BAB8Ccfcd55e5787bd55b0ddfcd29b901c45e: 'AWS::ApiGateway::Deployment',
  TimerApiDeploymentStageprodF28BBF5F: 'AWS::ApiGateway::Stage',
  TimerApiHandler0513A04D: 'AWS::Lambda::Function',
  TimerApiHandlerLogsE4191E93: 'AWS::Logs::LogGroup',
  TimerApiHandlerRoleDB0D2220: 'AWS::IAM::Role',
  TimerApiHandlerRoleDefaultPolicyB3B15097: 'AWS::IAM::Policy',
  TimerApiRequestValidatorAB5A28FB: 'AWS::ApiGateway::RequestValidator',
  TimerApioneshot419C2ACD: 'AWS::ApiGateway::Resource',
  TimerApioneshotid7C25F354: 'AWS::ApiGateway::Resource',
  TimerApioneshotidDELETEApiPermissionStackTimerApi079B9A1EDELETEoneshotidFE673C0E: 'AWS::Lambda::Permission',
  TimerApioneshotidDELETEApiPermissionTestStackTimerApi079B9A1EDELETEoneshotidB2D01B1D: 'AWS::Lambda::Permission',
  TimerApioneshotidDELETEFC96C893: 'AWS::ApiGateway::Method',
  TimerApioneshotidGET08D802D5: 'AWS::ApiGateway::Method',
  TimerApioneshotidGETApiPermissionStackTimerApi079B9A1EGEToneshotid941DE47A: 'AWS::Lambda::Permission',
  TimerApioneshotidGETApiPermissionTestStackTimerApi079B9A1EGEToneshotid61D60342: 'AWS::Lambda::Permission',
  TimerApioneshotidPUT5C006A69: 'AWS::ApiGateway::Method',
  TimerApioneshotidPUTApiPermissionStackTimerApi079B9A1EPUToneshotid9E13175C: 'AWS::Lambda::Permission',
  TimerApioneshotidPUTApiPermissionTestStackTimerApi079B9A1EPUToneshotid5BFC3DBA: 'AWS::Lambda::Permission',
  TimerApiperiodic362ED7F1: 'AWS::ApiGateway::Resource',
  TimerApiperiodicid7BEF4B82: 'AWS::ApiGateway::Resource',
  TimerApiperiodicidDELETE65CB3DDD: 'AWS::ApiGateway::Method',
  TimerApiperiodicidDELETEApiPermissionStackTimerApi079B9A1EDELETEperiodicidEF625362: 'AWS::Lambda::Permission',
  TimerApiperiodicidDELETEApiPermissionTestStackTimerApi079B9A1EDELETEperiodicid756DD751: 'AWS::Lambda::Permission',
  TimerApiperiodicidGETApiPermissionStackTimerApi079B9A1EGETperiodicid6D694662: 'AWS::Lambda::Permission',
  TimerApiperiodicidGETApiPermissionTestStackTimerApi079B9A1EGETperiodicid057BC871: 'AWS::Lambda::Permission',
  TimerApiperiodicidGETE46B6DF8: 'AWS::ApiGateway::Method',
  TimerApiperiodicidPUT4199460E: 'AWS::ApiGateway::Method',
  TimerApiperiodicidPUTApiPermissionStackTimerApi079B9A1EPUTperiodicidC2917245: 'AWS::Lambda::Permission',
  TimerApiperiodicidPUTApiPermissionTestStackTimerApi079B9A1EPUTperiodicidC9B0E430: 'AWS::Lambda::Permission',
  TimerDashboard6BEADB30: 'AWS::CloudWatch::Dashboard',
  TimerDeadLetterAlarm3F075ADE: 'AWS::CloudWatch::Alarm',
  TimerDeadLetterQueue722415CE: 'AWS::SQS::Queue',
  TimerDeadLetterQueuePolicyA38B4D72: 'AWS::SQS::QueuePolicy',
  TimerLateFiringsAlarm471A4617: 'AWS::CloudWatch::Alarm',
  TimerQueueE853384C: 'AWS::SQS::Queue',
  TimerQueuePolicyF00F4DC8: 'AWS::SQS::QueuePolicy',
  TimerTableA9D0FD83: 'AWS::DynamoDB::GlobalTable',
  TimerTickErrorsAlarm4B94007B: 'AWS::CloudWatch::Alarm',
  TimerTickHandlerEventInvokeConfig24611438: 'AWS::Lambda::EventInvokeConfig',
  TimerTickHandlerFFC0690D: 'AWS::Lambda::Function',
  TimerTickHandlerLogs86A9C865: 'AWS::Logs::LogGroup',
  TimerTickHandlerRole1014775A: 'AWS::IAM::Role',
  TimerTickHandlerRoleDefaultPolicy968C1489: 'AWS::IAM::Policy',
  TimerTickSchedule0CE765634: 'AWS::Scheduler::Schedule',
  TimerTickSchedule16153CA0F: 'AWS::Scheduler::Schedule',
  TimerTickSchedule22DAF09CF: 'AWS::Scheduler::Schedule',
  TimerTickSchedulerRole4354A2F9: 'AWS::IAM::Role',
  TimerTickSchedulerRoleDefaultPolicy15724ED4: 'AWS::IAM::Policy',
};

function fullOptions(stack: Stack): ServerlessTimerProps {
  return {
    shardCount: 3,
    period: Duration.minutes(5),
    batchConcurrency: 20,
    callback: new lambda.Function(stack, 'Callback', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('x'),
      timeout: Duration.seconds(20),
    }),
    callbackBatchSize: 5,
    callbackMaxConcurrency: 4,
    deadLetterQueue: TimerDeadLetterQueue.create({ maxReceiveCount: 3 }),
    encryptionKey: new kms.Key(stack, 'Key'),
    removalPolicy: RemovalPolicy.DESTROY,
    tracing: true,
    dashboard: true,
    serviceName: 'timers',
    apiAccessLogs: true,
  };
}

/**
 * Logical ID -> resource type. An API Gateway deployment's ID ends in a hash of the API's methods by design (a new
 * deployment whenever they change, which replaces nothing that holds state): only its construct part is compared.
 */
function resourceTypes(template: Template): Record<string, string> {
  return Object.fromEntries(Object.entries(template.toJSON().Resources as Record<string, { Type: string }>)
    .map(([id, resource]) => [resource.Type === 'AWS::ApiGateway::Deployment' ? withoutContentHash(id) : id, resource.Type]));
}

function withoutContentHash(id: string): string {
  return id.replace(/^(.*Deployment[0-9A-F]{8})[0-9a-f]{32}$/, '$1');
}

describe('logical IDs', () => {
  test.each([
    ['the default stack', DEFAULT_STACK, () => ({})],
    ['the full-option stack', FULL_OPTION_STACK, fullOptions],
  ] as Array<[string, Record<string, string>, (stack: Stack) => ServerlessTimerProps]>)('%s keeps every resource it had, with its type', (_name, before, props) => {
    // GIVEN
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    // WHEN
    new ServerlessTimer(stack, 'Timer', props(stack));
    // THEN
    const now = resourceTypes(Template.fromStack(stack));
    const expected = Object.fromEntries(Object.entries(before).map(([id, type]) => [withoutContentHash(id), type]));
    const kept = Object.fromEntries(Object.keys(expected).map((id) => [id, now[id] ?? 'missing']));
    expect(kept).toEqual(expected);
  });
});
