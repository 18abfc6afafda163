// The integration test's callback: stores every firing it receives in the recorder table, so the assertions can
// query what fired, with which body and attributes. Deployed inline (no asset), so snapshots stay stable.
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');

const client = new DynamoDBClient({});
// The callback contract's attribute names, passed in by the stack from the library's single definition.
const names = JSON.parse(process.env.MESSAGE_ATTRIBUTES);

exports.handler = async (event) => {
  const receivedAt = Date.now();
  for (const record of event.Records) {
    const attribute = (name) => record.messageAttributes[name] && record.messageAttributes[name].stringValue;
    await client.send(new PutItemCommand({
      TableName: process.env.RECORDER_TABLE,
      Item: {
        timerId: { S: attribute(names.TIMER_ID) || 'missing' },
        firingId: { S: attribute(names.FIRING_ID) || record.messageId },
        kind: { S: attribute(names.TIMER_KIND) || 'missing' },
        scheduledAt: { N: attribute(names.SCHEDULED_AT) || '0' },
        body: { S: record.body },
        receivedAt: { N: String(receivedAt) },
      },
    }));
  }
  return { batchItemFailures: [] };
};
