/**
 * The timer API of a `ServerlessTimer`: the REST API with `/periodic/{id}`, `/oneshot/{id}` and `/cron/{id}`, its
 * access logs, and the API handler behind it (`api.lambda.ts`, generated as `ApiFunction`) with exactly the permissions it uses.
 *
 * A part, not a construct: it creates its resources in the `ServerlessTimer`'s own scope, so their construct IDs,
 * and the logical IDs that follow from them, stay those of the single-class construct it was split from.
 */
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ApiAuthorization } from './api-authorization';
import { ApiFunction } from './api-function';
import { acknowledgeHandlerFindings, handlerBasics, HandlerSettings } from '../handler-settings';
import { QueuePart } from '../queue/queue-part';
import { TablePart } from '../table/table-part';

const ROUTES = ['periodic', 'oneshot', 'cron'] as const;
const METHODS = ['PUT', 'GET', 'DELETE'] as const;
/** `POST /{kind}/{id}/pause` and `/resume`. */
const ACTIONS = ['pause', 'resume'] as const;

/** The API handler's timeout. */
export const API_HANDLER_TIMEOUT = Duration.seconds(10);
/**
 * How much later than the API handler's timeout a PUT's write may still land: a PutItem in flight when the function
 * is killed, or one DynamoDB applies after the handler's SDK gave up on it (its 5 s request timeout), and the clock
 * skew between the API's host and a tick's.
 */
const WRITE_LANDING_SLACK = Duration.seconds(5);
/**
 * The engine's bound on how long after a PUT starts its timer is written (`CREATE_WITHIN_MS`, which both handlers
 * get): the API handler's timeout plus the slack above.
 */
export const CREATE_WITHIN = API_HANDLER_TIMEOUT.plus(WRITE_LANDING_SLACK);

export interface ApiPartProps {
  readonly settings: HandlerSettings;
  readonly authorization: ApiAuthorization;
  readonly table: TablePart;
  readonly queue: QueuePart;
  /** Whether the stage writes access logs (which needs the account's API Gateway CloudWatch Logs role). */
  readonly accessLogs: boolean;
  /** Whether this part creates that role and sets it in the account's API Gateway settings. */
  readonly cloudWatchRole: boolean;
}

export class ApiPart {
  readonly restApi: apigw.RestApi;
  readonly handler: ApiFunction;

  constructor(scope: Construct, props: ApiPartProps) {
    const { settings, authorization } = props;
    const basics = handlerBasics(scope, 'ApiHandler', settings);
    this.handler = new ApiFunction(scope, 'ApiHandler', {
      role: basics.role,
      description: 'Timer API: creates, reads and deletes timers',
      memorySize: 256,
      timeout: API_HANDLER_TIMEOUT,
      environment: { ...settings.environment },
      tracing: basics.tracing,
      logGroup: basics.logGroup,
    });
    props.table.grantApiHandler(this.handler);
    // A PUT sends the firings that fall inside the span a tick already claimed itself (invariant 4).
    props.queue.grantSendFirings(this.handler);

    // API Gateway writes to CloudWatch Logs only through the account's CloudWatch Logs role, one per account and region:
    // the stage logs only when asked, and the role is set only when asked (kept on deletion, other APIs may use it).
    const accessLogs = props.accessLogs
      ? new logs.LogGroup(scope, 'ApiAccessLogs', { retention: settings.logRetention, removalPolicy: settings.removalPolicy })
      : undefined;
    this.restApi = new apigw.RestApi(scope, 'Api', {
      description: 'Serverless timer API',
      endpointTypes: [apigw.EndpointType.REGIONAL],
      cloudWatchRole: false,
      deployOptions: {
        ...(accessLogs && {
          accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
          accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
        }),
        tracingEnabled: settings.tracing,
      },
      defaultMethodOptions: {
        authorizationType: authorization.authorizationType,
        authorizer: authorization.authorizer,
      },
    });
    // The id path parameter is required; bodies are checked by the engine (its messages say what is allowed), so no
    // request model is attached and body validation, though enabled, has nothing to enforce.
    const validator = this.restApi.addRequestValidator('RequestValidator', { validateRequestParameters: true, validateRequestBody: true });
    const integration = new apigw.LambdaIntegration(this.handler, { proxy: true });
    for (const route of ROUTES) {
      const resource = this.restApi.root.addResource(route).addResource('{id}');
      for (const method of METHODS) {
        resource.addMethod(method, integration, {
          requestValidator: validator,
          requestParameters: { 'method.request.path.id': true },
        });
      }
      for (const action of ACTIONS) {
        resource.addResource(action).addMethod('POST', integration, {
          requestValidator: validator,
          requestParameters: { 'method.request.path.id': true },
        });
      }
    }

    acknowledgeHandlerFindings(this.handler, settings.tracing);
    Validations.of(this.restApi).acknowledge(
      { id: 'AwsSolutions-APIG3', reason: 'Every method requires authorization; a WAF web ACL can be associated with the stage by the user' },
      {
        id: 'AwsSolutions-APIG6',
        reason: 'Execution logs go to log groups API Gateway creates and never expires; the stage has access logs when apiAccessLogs is on',
      },
      { id: 'AwsSolutions-COG4', reason: 'The API uses IAM (SigV4) authorization by default, or the authorizer the user chose' },
    );
    if (!accessLogs) {
      Validations.of(this.restApi).acknowledge({
        id: 'AwsSolutions-APIG1',
        reason: 'Access logs need the account-wide API Gateway CloudWatch Logs role, which a fresh account lacks: apiAccessLogs or apiCloudWatchRole turns them on',
      });
    }
    if (props.cloudWatchRole) {
      this.setAccountCloudWatchRole(scope);
    }
  }

  /**
   * The account's API Gateway CloudWatch Logs role (`AWS::ApiGateway::Account`), set to a role of this construct before
   * the stage is created. The role and the setting are kept when the stack goes: other APIs of the account may log
   * through them. The role's policy is the one AWS documents for it (`AmazonAPIGatewayPushToCloudWatchLogs`), inline so
   * that each finding of cdk-nag can be acknowledged with its reason.
   */
  private setAccountCloudWatchRole(scope: Construct): void {
    const role = new iam.Role(scope, 'ApiCloudWatchRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway account role: writes the logs of the REST APIs of this account and region to CloudWatch Logs',
      inlinePolicies: {
        PushToCloudWatchLogs: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({
            actions: [
              'logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogGroups', 'logs:DescribeLogStreams',
              'logs:PutLogEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents',
            ],
            resources: ['*'],
          })],
        }),
      },
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new apigw.CfnAccount(scope, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    // After the API itself (an account that never had an API may refuse the setting), before the stage that logs.
    account.node.addDependency(this.restApi.node.defaultChild!);
    this.restApi.deploymentStage.node.addDependency(account);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The account role writes the logs of every REST API of the account and region, whose log groups API Gateway names',
    });
  }

  /** `execute-api:Invoke` on every method of every timer route, pause and resume included, in the deployed stage. */
  grantManageTimers(grantee: iam.IGrantable): iam.Grant {
    const stage = this.restApi.deploymentStage.stageName;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: ROUTES.flatMap((route) => [
        ...METHODS.map((method) => this.restApi.arnForExecuteApi(method, `/${route}/*`, stage)),
        ...ACTIONS.map((action) => this.restApi.arnForExecuteApi('POST', `/${route}/*/${action}`, stage)),
      ]),
    });
  }

  /** `execute-api:Invoke` on the GET methods alone, in the deployed stage: reading timers, changing none. */
  grantReadTimers(grantee: iam.IGrantable): iam.Grant {
    const stage = this.restApi.deploymentStage.stageName;
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['execute-api:Invoke'],
      resourceArns: ROUTES.map((route) => this.restApi.arnForExecuteApi('GET', `/${route}/*`, stage)),
    });
  }
}
