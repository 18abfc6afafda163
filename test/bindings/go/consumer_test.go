// A Go user's stack with cdk-serverless-timer, from the module the build writes (dist/go, through the one replace
// directive in go.mod), asserted on the synthesized template with the CDK's assertions.
package consumer

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-serverless-timer/cdk-serverless-timer-go/cdkserverlesstimer"
)

func consumerStack(t *testing.T) (cdkserverlesstimer.ServerlessTimer, assertions.Template) {
	t.Helper()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Consumer"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	callback := awslambda.NewFunction(stack, jsii.String("Callback"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_NODEJS_22_X(),
		Handler: jsii.String("index.handler"),
		Code:    awslambda.Code_FromInline(jsii.String("exports.handler = async () => ({ batchItemFailures: [] });")),
	})
	timer := cdkserverlesstimer.NewServerlessTimer(stack, jsii.String("Timer"), &cdkserverlesstimer.ServerlessTimerProps{
		ShardCount: jsii.Number(4),
		Callback:   callback,
		DeadLetterQueue: cdkserverlesstimer.TimerDeadLetterQueue_Create(&cdkserverlesstimer.TimerDeadLetterQueueOptions{
			MaxReceiveCount: jsii.Number(3),
		}),
	})
	client := awsiam.NewRole(stack, jsii.String("Client"), &awsiam.RoleProps{AssumedBy: awsiam.NewAccountRootPrincipal()})
	timer.GrantManageTimers(client)
	return timer, assertions.Template_FromStack(stack, nil)
}

func TestFourShardsEachWithItsSchedule(t *testing.T) {
	timer, template := consumerStack(t)
	if got := *timer.ShardCount(); got != 4 {
		t.Fatalf("ShardCount() = %v, want 4", got)
	}
	template.ResourceCountIs(jsii.String("AWS::Scheduler::Schedule"), jsii.Number(4))
}

func TestEveryApiMethodIsIamAuthorizedAndTheRoleMayInvokeThem(t *testing.T) {
	_, template := consumerStack(t)
	methods := *template.FindResources(jsii.String("AWS::ApiGateway::Method"), nil)
	if len(methods) != 15 {
		t.Fatalf("%d API methods, want 15", len(methods))
	}
	for id, method := range methods {
		properties := (*method)["Properties"].(map[string]interface{})
		if properties["AuthorizationType"] != "AWS_IAM" {
			t.Errorf("method %s has AuthorizationType %v, want AWS_IAM", id, properties["AuthorizationType"])
		}
	}
	template.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]interface{}{
		"PolicyDocument": map[string]interface{}{
			"Statement": assertions.Match_ArrayWith(&[]interface{}{
				assertions.Match_ObjectLike(&map[string]interface{}{"Action": "execute-api:Invoke", "Effect": "Allow"}),
			}),
		},
	})
}

func TestTheFiringQueueRedrivesToTheDeadLetterQueueAfterThreeReceives(t *testing.T) {
	timer, template := consumerStack(t)
	if timer.DeadLetterSqsQueue() == nil {
		t.Fatal("DeadLetterSqsQueue() is nil")
	}
	template.HasResourceProperties(jsii.String("AWS::SQS::Queue"), map[string]interface{}{
		"RedrivePolicy": map[string]interface{}{"deadLetterTargetArn": assertions.Match_AnyValue(), "maxReceiveCount": 3},
	})
}

func TestTheCallbackReadsTheQueueReportingBatchItemFailures(t *testing.T) {
	_, template := consumerStack(t)
	template.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]interface{}{
		"FunctionResponseTypes": []interface{}{"ReportBatchItemFailures"},
	})
}

func TestAMetricByItsPublicName(t *testing.T) {
	timer, _ := consumerStack(t)
	metric := timer.Metric(cdkserverlesstimer.TimerMetricName_TICK_DURATION, &awscloudwatch.MetricOptions{Statistic: jsii.String("p99")})
	if *metric.MetricName() != "TickDuration" || *metric.Statistic() != "p99" {
		t.Fatalf("metric %s %s, want TickDuration p99", *metric.MetricName(), *metric.Statistic())
	}
}

func TestABadPropIsRefusedWithTheConstructsMessage(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Bad"), nil)
	defer func() {
		recovered := recover()
		if recovered == nil {
			t.Fatal("a shard count of 0 was accepted")
		}
		message := recovered.(error).Error()
		if !strings.Contains(message, "shardCount must be a whole number from 1 to 100, got 0") {
			t.Fatalf("unexpected error: %s", message)
		}
	}()
	cdkserverlesstimer.NewServerlessTimer(stack, jsii.String("Timer"), &cdkserverlesstimer.ServerlessTimerProps{ShardCount: jsii.Number(0)})
}
