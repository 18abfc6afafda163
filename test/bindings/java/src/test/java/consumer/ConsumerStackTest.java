package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkserverlesstimer.ServerlessTimer;
import io.github.cdkserverlesstimer.ServerlessTimerProps;
import io.github.cdkserverlesstimer.TimerDeadLetterQueue;
import io.github.cdkserverlesstimer.TimerDeadLetterQueueOptions;
import io.github.cdkserverlesstimer.TimerMetricName;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.awscdk.services.cloudwatch.Metric;
import software.amazon.awscdk.services.cloudwatch.MetricOptions;
import software.amazon.awscdk.services.iam.AccountRootPrincipal;
import software.amazon.awscdk.services.iam.Role;
import software.amazon.awscdk.services.lambda.Code;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.lambda.Runtime;
// Imported beside ours, as a user of both would: the names must not clash.
import software.amazon.awscdk.services.sqs.DeadLetterQueue;

/** A Java user's stack with cdk-serverless-timer, from the jar the build wrote. */
class ConsumerStackTest {
  private ServerlessTimer timer;

  private Template consumerStack() {
    App app = new App();
    Stack stack = new Stack(app, "Consumer", StackProps.builder()
        .env(Environment.builder().account("111111111111").region("eu-west-1").build())
        .build());
    Function callback = Function.Builder.create(stack, "Callback")
        .runtime(Runtime.NODEJS_22_X)
        .handler("index.handler")
        .code(Code.fromInline("exports.handler = async () => ({ batchItemFailures: [] });"))
        .build();
    timer = new ServerlessTimer(stack, "Timer", ServerlessTimerProps.builder()
        .shardCount(4)
        .callback(callback)
        .deadLetterQueue(TimerDeadLetterQueue.create(TimerDeadLetterQueueOptions.builder().maxReceiveCount(3).build()))
        .build());
    Role client = Role.Builder.create(stack, "Client").assumedBy(new AccountRootPrincipal()).build();
    timer.grantManageTimers(client);
    return Template.fromStack(stack);
  }

  @Test
  void fourShardsEachWithItsSchedule() {
    Template template = consumerStack();
    assertEquals(4, timer.getShardCount());
    template.resourceCountIs("AWS::Scheduler::Schedule", 4);
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyApiMethodIsIamAuthorizedAndTheRoleMayInvokeThem() {
    Template template = consumerStack();
    Map<String, Map<String, Object>> methods = template.findResources("AWS::ApiGateway::Method");
    assertEquals(15, methods.size());
    for (Map<String, Object> method : methods.values()) {
      assertEquals("AWS_IAM", ((Map<String, Object>) method.get("Properties")).get("AuthorizationType"));
    }
    template.hasResourceProperties("AWS::IAM::Policy", Map.of("PolicyDocument", Map.of("Statement",
        Match.arrayWith(List.of(Match.objectLike(Map.of("Action", "execute-api:Invoke", "Effect", "Allow")))))));
  }

  @Test
  void theFiringQueueRedrivesToTheDeadLetterQueueAfterThreeReceives() {
    Template template = consumerStack();
    assertNotNull(timer.getDeadLetterSqsQueue());
    template.hasResourceProperties("AWS::SQS::Queue", Map.of("RedrivePolicy",
        Map.of("deadLetterTargetArn", Match.anyValue(), "maxReceiveCount", 3)));
  }

  @Test
  void theCallbackReadsTheQueueReportingBatchItemFailures() {
    consumerStack().hasResourceProperties("AWS::Lambda::EventSourceMapping",
        Map.of("FunctionResponseTypes", List.of("ReportBatchItemFailures")));
  }

  @Test
  void aMetricByItsPublicName() {
    consumerStack();
    Metric metric = timer.metric(TimerMetricName.TICK_DURATION, MetricOptions.builder().statistic("p99").build());
    assertEquals("TickDuration", metric.getMetricName());
    assertEquals("p99", metric.getStatistic());
  }

  @Test
  void theSqsModulesDeadLetterQueueStaysUsableBesideOurs() {
    // The SQS type, unqualified, next to TimerDeadLetterQueue: both compile in one file.
    DeadLetterQueue sqsDeadLetterQueue = null;
    assertEquals(null, sqsDeadLetterQueue);
  }

  @Test
  void aBadPropIsRefusedWithTheConstructsMessage() {
    Stack stack = new Stack(new App(), "Bad");
    RuntimeException error = assertThrows(RuntimeException.class,
        () -> new ServerlessTimer(stack, "Timer", ServerlessTimerProps.builder().shardCount(0).build()));
    assertTrue(error.getMessage().contains("shardCount must be a whole number from 1 to 100, got 0"), error.getMessage());
  }
}
