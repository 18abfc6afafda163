// Placeholder: the tick Lambda entry point ({ shardId } -> core Ticker). Filled in with the AWS adapters.
export async function handler(): Promise<unknown> {
  throw new Error('not implemented yet');
}
