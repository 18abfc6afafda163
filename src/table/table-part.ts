/**
 * The timer table of a `ServerlessTimer`: one DynamoDB table keyed by timer id with the `schedule` index the ticks
 * read (layout in `aws/table-schema.ts`, read and written by `aws/dynamo-store.ts`), and the exact table actions
 * each handler's store calls make.
 *
 * A part, not a construct: it creates its resources in the `ServerlessTimer`'s own scope, so their construct IDs,
 * and the logical IDs that follow from them, stay those of the single-class construct it was split from.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { INDEX_PROJECTED_ATTRIBUTES, TableSchema } from '../aws/table-schema';

/** What the ids of the bookkeeping items (shard state, interval registry) start with, and no timer id may hold. */
const BOOKKEEPING_ITEM_PREFIX = '#';

export interface TablePartProps {
  readonly encryptionKey?: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly pointInTimeRecovery: boolean;
}

export class TablePart {
  readonly table: dynamodb.TableV2;
  /** The ARN of the `schedule` index, which only the ticks query. */
  readonly indexArn: string;

  constructor(scope: Construct, props: TablePartProps) {
    const key = props.encryptionKey;
    this.table = new dynamodb.TableV2(scope, 'Table', {
      partitionKey: { name: TableSchema.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      timeToLiveAttribute: TableSchema.TTL_ATTRIBUTE,
      encryption: key ? dynamodb.TableEncryptionV2.customerManagedKey(key) : dynamodb.TableEncryptionV2.dynamoOwnedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: props.pointInTimeRecovery },
      removalPolicy: props.removalPolicy,
      globalSecondaryIndexes: [{
        indexName: TableSchema.INDEX_NAME,
        partitionKey: { name: TableSchema.INDEX_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
        sortKey: { name: TableSchema.INDEX_SORT_KEY, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...INDEX_PROJECTED_ATTRIBUTES],
      }],
    });
    this.indexArn = `${this.table.tableArn}/index/${TableSchema.INDEX_NAME}`;
  }

  /**
   * The API handler's calls: it reads, puts and deletes timers by id (GetItem, PutItem, DeleteItem), and updates a
   * shard's interval registry item (`aws/dynamo-store.ts` writes it with UpdateItem, so that the tick may refresh it
   * without PutItem); it never updates a timer (retiring one is the tick's) and never reads the index. The partition
   * keys say which items each call may touch: a timer id holds no `#`, so the timer calls may not reach a bookkeeping
   * item (`#...`), and UpdateItem reaches the registry items (`#iv#...`) alone. The API can never write a shard's state
   * item (`#shard#...`), which only its tick writes.
   */
  grantApiHandler(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      resourceArns: [this.table.tableArn],
      conditions: { 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': [`${BOOKKEEPING_ITEM_PREFIX}*`] } },
    });
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${TableSchema.INTERVAL_ITEM_PREFIX}*`] } },
    });
  }

  /**
   * The tick handler's calls: it reads and conditionally updates its shard's state item (lease, cursor, watermark),
   * refreshes interval registry items and retires ended timers with updates, and queries the index (the schedule
   * and the registry). It puts no item, so it has no PutItem.
   */
  grantTickHandler(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
    });
    iam.Grant.addToPrincipal({ grantee, actions: ['dynamodb:Query'], resourceArns: [this.indexArn] });
  }
}
