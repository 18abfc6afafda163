"""A Python user's stack with cdk-serverless-timer, as the wheel built from this repository installs it.

Four shards, a dead-letter queue after 3 receives, a callback function and a role allowed to manage timers,
asserted on the synthesized template with aws_cdk.assertions.
"""
import os
import subprocess
import sys

import aws_cdk as cdk
import pytest
from aws_cdk import assertions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_

from cdk_serverless_timer import ServerlessTimer, TimerDeadLetterQueue, TimerMetricName


def consumer_stack():
    app = cdk.App()
    stack = cdk.Stack(app, "Consumer", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    callback = lambda_.Function(
        stack,
        "Callback",
        runtime=lambda_.Runtime.NODEJS_22_X,
        handler="index.handler",
        code=lambda_.Code.from_inline("exports.handler = async () => ({ batchItemFailures: [] });"),
    )
    timer = ServerlessTimer(
        stack,
        "Timer",
        shard_count=4,
        callback=callback,
        dead_letter_queue=TimerDeadLetterQueue.create(max_receive_count=3),
    )
    client = iam.Role(stack, "Client", assumed_by=iam.AccountRootPrincipal())
    timer.grant_manage_timers(client)
    return stack, timer, assertions.Template.from_stack(stack)


def test_four_shards_each_with_its_schedule():
    _, timer, template = consumer_stack()
    assert timer.shard_count == 4
    template.resource_count_is("AWS::Scheduler::Schedule", 4)


def test_every_api_method_is_iam_authorized_and_the_role_may_invoke_them():
    _, _, template = consumer_stack()
    methods = template.find_resources("AWS::ApiGateway::Method")
    assert len(methods) == 15
    assert {m["Properties"]["AuthorizationType"] for m in methods.values()} == {"AWS_IAM"}
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "PolicyDocument": {
                "Statement": assertions.Match.array_with(
                    [assertions.Match.object_like({"Action": "execute-api:Invoke", "Effect": "Allow"})]
                )
            }
        },
    )


def test_the_firing_queue_redrives_to_the_dead_letter_queue_after_three_receives():
    _, timer, template = consumer_stack()
    assert timer.dead_letter_sqs_queue is not None
    template.has_resource_properties(
        "AWS::SQS::Queue",
        {"RedrivePolicy": {"deadLetterTargetArn": assertions.Match.any_value(), "maxReceiveCount": 3}},
    )


def test_the_callback_reads_the_queue_reporting_batch_item_failures():
    _, _, template = consumer_stack()
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping", {"FunctionResponseTypes": ["ReportBatchItemFailures"]}
    )


def test_a_metric_by_its_public_name():
    _, timer, _ = consumer_stack()
    metric = timer.metric(TimerMetricName.TICK_DURATION, statistic="p99")
    assert (metric.namespace, metric.metric_name, metric.statistic) == ("ServerlessTimer", "TickDuration", "p99")


def test_a_bad_prop_is_refused_with_the_constructs_message():
    stack = cdk.Stack(cdk.App(), "Bad")
    with pytest.raises(Exception, match="shardCount must be a whole number from 1 to 100, got 0"):
        ServerlessTimer(stack, "Timer", shard_count=0)


# The package's command, as pip installed it beside this Python (the wheel's console script runs the npm package's bin).
COMMAND = os.path.join(os.path.dirname(sys.executable), "cdk-serverless-timer")


def test_the_installed_command_runs():
    run = subprocess.run([COMMAND, "--help"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "cdk-serverless-timer local" in run.stdout


def node_has_sqlite():
    """Node 22.13 and newer have node:sqlite, which the local runtime uses where better-sqlite3 is not installed."""
    check = "try { require('node:sqlite').DatabaseSync.prototype.prepare; process.exit(0) } catch { process.exit(1) }"
    return subprocess.run(["node", "-e", check], capture_output=True).returncode == 0


def test_the_installed_command_runs_the_local_runtime_or_says_what_to_install():
    if node_has_sqlite():
        # No driver installed: node:sqlite serves, and the runtime starts.
        with subprocess.Popen([COMMAND, "local", "--memory", "--port", "0"], stdout=subprocess.PIPE, text=True) as runtime:
            try:
                assert "listening on http://" in runtime.stdout.readline()
            finally:
                runtime.terminate()
        return
    run = subprocess.run([COMMAND, "local", "--memory", "--port", "0"], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    # One line of ours; on a Node past its end of life the jsii runtime adds its banner (lines of "!!").
    lines = [line for line in run.stderr.strip().splitlines() if "!!" not in line]
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("cdk-serverless-timer: the local runtime needs the SQLite driver better-sqlite3")
    assert "npm install -g cdk-serverless-timer better-sqlite3@12" in lines[0]
