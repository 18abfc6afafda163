// The load test's callback on AWS: for each firing it receives, it records the firing id in a table (a conditional
// put: a second delivery of the same firing is a duplicate), and it reports, as CloudWatch metrics in the embedded
// metric format, the firing's delivery lateness (receipt minus ScheduledAt) and the duplicates. Every metric data
// point carries the minute of its firing's ScheduledAt as its timestamp, so CloudWatch's per-minute statistics are the
// minutes GET /lateness answers locally (loadtest/lib/cloudwatch.js reads them). Deployed inline, with no asset.
const { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');

const client = new DynamoDBClient({});
const names = JSON.parse(process.env.MESSAGE_ATTRIBUTES);
const RETAIN_SECONDS = 2 * 86_400;
// The embedded metric format takes at most 100 values per metric in one document.
const MAX_VALUES = 100;

exports.handler = async (event) => {
  const receivedAt = Date.now();
  const failures = [];
  const perMinute = new Map();
  for (const record of event.Records) {
    const attribute = (name) => record.messageAttributes[name] && record.messageAttributes[name].stringValue;
    const firingId = attribute(names.FIRING_ID) || record.messageId;
    const scheduledAt = Number(attribute(names.SCHEDULED_AT));
    let duplicate = false;
    try {
      await client.send(new PutItemCommand({
        TableName: process.env.DELIVERIES_TABLE,
        Item: { firingId: { S: firingId }, expiresAt: { N: String(Math.floor(receivedAt / 1000) + RETAIN_SECONDS) } },
        ConditionExpression: 'attribute_not_exists(firingId)',
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || error.name === 'ConditionalCheckFailedException') {
        duplicate = true;
      } else {
        // Not recorded: delivered again later, and counted then.
        failures.push({ itemIdentifier: record.messageId });
        continue;
      }
    }
    const minute = Math.floor(scheduledAt / 60_000) * 60_000;
    const entry = perMinute.get(minute) || { lateness: [], duplicates: 0 };
    if (duplicate) entry.duplicates++;
    else entry.lateness.push(Math.max(0, receivedAt - scheduledAt));
    perMinute.set(minute, entry);
  }
  for (const [minute, entry] of perMinute) {
    for (let i = 0; i < Math.max(1, entry.lateness.length); i += MAX_VALUES) {
      const values = entry.lateness.slice(i, i + MAX_VALUES);
      process.stdout.write(JSON.stringify({
        _aws: {
          Timestamp: minute,
          CloudWatchMetrics: [{
            Namespace: process.env.METRICS_NAMESPACE,
            Dimensions: [['Service']],
            Metrics: [
              ...(values.length > 0 ? [{ Name: 'DeliveryLateness', Unit: 'Milliseconds' }] : []),
              ...(i === 0 && entry.duplicates > 0 ? [{ Name: 'DuplicateDeliveries', Unit: 'Count' }] : []),
            ],
          }],
        },
        Service: process.env.METRICS_SERVICE,
        ...(values.length > 0 && { DeliveryLateness: values }),
        ...(i === 0 && entry.duplicates > 0 && { DuplicateDeliveries: entry.duplicates }),
      }) + '\n');
    }
  }
  return { batchItemFailures: failures };
};
