/**
 * The shard ticks of a `ServerlessTimer`: the tick handler (`tick.lambda.ts`, generated as `TickFunction`), one
 * EventBridge Scheduler schedule per shard invoking it with `{ "shardId": "shard<n>" }` every period, the schedule
 * group they share, and the permissions a tick uses, including invoking itself to continue a window it could not
 * finish before its deadline.
 *
 * A part, not a construct: it creates its resources in the `ServerlessTimer`'s own scope, so their construct IDs,
 * and the logical IDs that follow from them, stay those of the single-class construct it was split from.
 */
import { CfnResource, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import { TickFunction } from './tick-function';
import { acknowledgeHandlerFindings, handlerBasics, HandlerSettings } from '../handler-settings';
import { checkWhole } from '../prop-checks';
import { QueuePart } from '../queue/queue-part';
import type { ServerlessTimerProps } from '../serverless-timer';
import { TablePart } from '../table/table-part';

/** One full vCPU: Lambda allocates CPU in proportion to memory and reaches one vCPU at 1,769 MB. */
export const DEFAULT_TICK_MEMORY_MB = 1769;
/** Lambda's memory range, in MB. */
const TICK_MEMORY_MB = { min: 128, max: 10_240 };

export type TickPartProps = Pick<ServerlessTimerProps, 'tickMemorySize' | 'tickReservedConcurrency'> & {
  readonly settings: HandlerSettings;
  readonly shardCount: number;
  readonly period: Duration;
  readonly table: TablePart;
  readonly queue: QueuePart;
};

export class TickPart {
  readonly handler: TickFunction;
  /** The group holding every shard's schedule: its metrics tell whether the scheduler reaches the tick. */
  readonly scheduleGroup: scheduler.ScheduleGroup;

  constructor(scope: Construct, props: TickPartProps) {
    const { settings, shardCount, period } = props;
    checkWhole('tickMemorySize', props.tickMemorySize, TICK_MEMORY_MB.min, TICK_MEMORY_MB.max, 'Lambda allows 128 to 10,240 MB');
    checkReservedConcurrency(props.tickReservedConcurrency, shardCount);

    const basics = handlerBasics(scope, 'TickHandler', settings);
    this.handler = new TickFunction(scope, 'TickHandler', {
      role: basics.role,
      description: 'Timer tick: sends the firings of its shard\'s next window to the queue',
      memorySize: props.tickMemorySize ?? DEFAULT_TICK_MEMORY_MB,
      // A tick may run for a whole period: it stops before its deadline and hands what is left to a continuation,
      // and the shard lease keeps it apart from the next scheduled tick.
      timeout: period,
      reservedConcurrentExecutions: props.tickReservedConcurrency,
      // Neither a failed tick nor a lost continuation is retried: the next scheduled tick resumes at the shard's
      // cursor once the lease lapses. A continuation still queued (e.g. throttled) after a period is superseded.
      retryAttempts: 0,
      maxEventAge: period,
      // A continuation is an asynchronous invocation of this function by itself. Lambda's recursive loop detection
      // stops such a chain after about 16 hops; a busy window needs more, each bounded by its tick's deadline and
      // started only while work is left, so the detection is off for this function alone.
      recursiveLoop: lambda.RecursiveLoop.ALLOW,
      environment: { ...settings.environment },
      tracing: basics.tracing,
      logGroup: basics.logGroup,
    });
    props.table.grantTickHandler(this.handler);
    props.queue.grantSendFirings(this.handler);
    // In a policy of its own: a statement naming the function's ARN in the role's default policy would make the
    // function depend on itself (it waits for that policy). The continuation invokes the unqualified function.
    const continuation = new iam.Policy(scope, 'TickContinuationPolicy', {
      roles: [basics.role],
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.handler.functionArn] })],
    });

    // EventBridge Scheduler rather than EventBridge rules: a rule invokes Lambda through the function's resource
    // policy, one statement per rule, and 100 shards' statements overflow its 20 KB limit; Scheduler assumes one
    // role for every shard instead, and its schedules do not count against the 300 rules of an event bus.
    const schedulerRole = new iam.Role(scope, 'TickSchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
      }),
    });
    // The group holds nothing but these schedules, so it goes with the stack whatever the removal policy.
    this.scheduleGroup = new scheduler.ScheduleGroup(scope, 'TickScheduleGroup', { removalPolicy: RemovalPolicy.DESTROY });
    for (let shard = 0; shard < shardCount; shard++) {
      const schedule = new scheduler.Schedule(scope, `TickSchedule${shard}`, {
        description: `Tick of shard${shard}`,
        scheduleGroup: this.scheduleGroup,
        schedule: scheduler.ScheduleExpression.rate(period),
        target: new schedulerTargets.LambdaInvoke(this.handler, {
          input: scheduler.ScheduleTargetInput.fromObject({ shardId: `shard${shard}` }),
          role: schedulerRole,
          // A tick older than a period is superseded by the next one, which catches its windows up.
          maxEventAge: period,
          retryAttempts: 2,
        }),
      });
      // The schedule names its group by a literal name, which tells CloudFormation nothing about their order; and no
      // tick runs before it may hand over to a continuation.
      schedule.node.addDependency(this.scheduleGroup, continuation);
    }

    acknowledgeHandlerFindings(this.handler, settings.tracing);
    const tickLogicalId = Stack.of(scope).resolve((this.handler.node.defaultChild as CfnResource).logicalId);
    Validations.of(schedulerRole).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${tickLogicalId}.Arn>:*]`,
      reason: 'Scheduler may invoke the tick function and its versions: `:*` is the version qualifier',
    });
  }
}

/** Every shard may run a tick and its continuation at once: anything below twice the shard count starves one. */
function checkReservedConcurrency(value: number | undefined, shardCount: number): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  const min = 2 * shardCount;
  if (!Number.isInteger(value) || value < min) {
    throw new Error(
      `tickReservedConcurrency must be a whole number of at least ${min} (twice shardCount, ${shardCount}), got ${value}: `
      + 'each shard may run a tick and its continuation at once; leave it unset to reserve none',
    );
  }
}
