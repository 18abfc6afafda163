// A C# user's stack with cdk-serverless-timer, the counterpart of the Python, Java and Go consumers: both the SQS
// namespace and ours are imported, as a user of both would, and every type name stays unambiguous. It is compiled
// by `npm run test:bindings` where a .NET SDK exists (`dotnet build` against the NuGet package the build writes).
using System.Collections.Generic;
using Amazon.CDK;
using Amazon.CDK.AWS.IAM;
using Amazon.CDK.AWS.Lambda;
using Amazon.CDK.AWS.SQS;
using CdkServerlessTimer;
using Constructs;

namespace Consumer
{
    public class ConsumerStack : Stack
    {
        public ServerlessTimer Timer { get; }

        public ConsumerStack(Construct scope, string id) : base(scope, id, new StackProps
        {
            Env = new Amazon.CDK.Environment { Account = "111111111111", Region = "eu-west-1" },
        })
        {
            var callback = new Function(this, "Callback", new FunctionProps
            {
                Runtime = Runtime.NODEJS_22_X,
                Handler = "index.handler",
                Code = Code.FromInline("exports.handler = async () => ({ batchItemFailures: [] });"),
            });
            Timer = new ServerlessTimer(this, "Timer", new ServerlessTimerProps
            {
                ShardCount = 4,
                Callback = callback,
                DeadLetterQueue = TimerDeadLetterQueue.Create(new TimerDeadLetterQueueOptions { MaxReceiveCount = 3 }),
            });
            var client = new Role(this, "Client", new RoleProps { AssumedBy = new AccountRootPrincipal() });
            Timer.GrantManageTimers(client);
            // The SQS module's own type, unqualified beside ours.
            IQueue? deadLetters = Timer.DeadLetterSqsQueue;
            DeadLetterQueue? sqsDeadLetterQueue = null;
            _ = (deadLetters, sqsDeadLetterQueue, Timer.Metric(TimerMetricName.TICK_DURATION, null));
        }
    }

    public static class Program
    {
        public static void Main()
        {
            var app = new App();
            var stack = new ConsumerStack(app, "Consumer");
            var template = Amazon.CDK.Assertions.Template.FromStack(stack);
            template.ResourceCountIs("AWS::Scheduler::Schedule", 4);
            template.HasResourceProperties("AWS::Lambda::EventSourceMapping", new Dictionary<string, object>
            {
                ["FunctionResponseTypes"] = new[] { "ReportBatchItemFailures" },
            });
        }
    }
}
