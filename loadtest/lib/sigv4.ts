/**
 * SigV4 signing of the load test's requests for API Gateway (`execute-api`), as the construct's default IAM
 * authorization requires: the Artillery hook (`processor.ts`) and the clean-up (`suite.ts`) sign with this one function.
 * Credentials come from the standard variables AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN; the
 * region from the API's host name (`{api}.execute-api.{region}.amazonaws.com`), or AWS_REGION for a custom domain.
 */
// aws4 has no type declarations of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aws4 = require('aws4') as { sign(request: object, credentials?: object): { headers: Record<string, string> } };

export interface SignableRequest {
  readonly method: string;
  readonly url: string;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export const MISSING_CREDENTIALS =
  'the aws environments sign requests with SigV4 but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set: export them ' +
  '(e.g. eval "$(aws configure export-credentials --format env)"), or pass --variables \'{"sigv4": false}\' for an API without IAM auth';

/** The request's headers with the SigV4 `Authorization`, `X-Amz-Date` (and, for temporary credentials, `X-Amz-Security-Token`). */
export function signedHeaders(request: SignableRequest, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (!env.AWS_ACCESS_KEY_ID || !env.AWS_SECRET_ACCESS_KEY) throw new Error(MISSING_CREDENTIALS);
  const url = new URL(request.url);
  const region = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1] ?? env.AWS_REGION;
  if (!region) throw new Error(`cannot tell the region of ${url.host}: set AWS_REGION`);
  const signed = aws4.sign(
    {
      host: url.host,
      path: url.pathname + url.search,
      method: request.method,
      service: 'execute-api',
      region,
      headers: { ...(request.headers ?? {}) },
      ...(request.body !== undefined && { body: request.body }),
    },
    { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN },
  );
  return signed.headers;
}
