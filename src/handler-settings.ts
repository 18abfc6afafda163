/**
 * What the two handler parts of a `ServerlessTimer` (the API in `api/api-part.ts`, the ticks in `tick/tick-part.ts`)
 * share: the environment every handler reads, log and trace settings, and a role that may write to the handler's
 * own log group only (and use the customer key, if there is one).
 */
import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface HandlerSettings {
  /** The variables every handler reads (names in `envars.ts`). */
  readonly environment: Readonly<Record<string, string>>;
  readonly tracing: boolean;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** The customer key of the table and the queues, which every handler reads and writes through. */
  readonly encryptionKey?: kms.IKey;
}

/** The log group, role and tracing mode of one handler function. */
export interface HandlerBasics {
  readonly logGroup: logs.LogGroup;
  readonly role: iam.Role;
  readonly tracing: lambda.Tracing;
}

/**
 * The log group `{id}Logs` and role `{id}Role` of the handler `{id}`, in `scope`. The role is narrower than the
 * managed basic execution role, which may write to any log group.
 */
export function handlerBasics(scope: Construct, id: string, settings: HandlerSettings): HandlerBasics {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, { retention: settings.logRetention, removalPolicy: settings.removalPolicy });
  const role = new iam.Role(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);
  if (settings.encryptionKey) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: [settings.encryptionKey.keyArn],
    }));
  }
  return { logGroup, role, tracing: settings.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED };
}

/**
 * Acknowledges the cdk-nag findings every handler accepts, on the handler and its role, with the reason, through the
 * CDK's own `Validations` API (so the library does not depend on cdk-nag).
 */
export function acknowledgeHandlerFindings(handler: lambda.IFunction, tracing: boolean): void {
  Validations.of(handler).acknowledge({ id: 'AwsSolutions-L1', reason: 'The handlers are built and tested for Node.js 24, the newest runtime Lambda offers' });
  if (tracing && handler.role) {
    Validations.of(handler.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions',
    });
  }
}
