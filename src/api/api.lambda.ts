// Placeholder: the API Lambda entry point (API Gateway REST proxy -> core TimerApi). Filled in with the AWS adapters.
export async function handler(): Promise<unknown> {
  throw new Error('not implemented yet');
}
