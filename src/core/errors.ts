/**
 * The one error type the engine throws for a request it refuses. Both shells (the API Lambda and the local
 * server) turn it into `{statusCode, {"message": ...}}`; anything else becomes a 500 with a generic message.
 */
/** The message of every 500: what failed is logged, never told to the client. */
export const INTERNAL_ERROR_MESSAGE = 'internal error; the request may be retried';

export class TimerRequestError extends Error {
  constructor(readonly statusCode: number, message: string) {
    super(message);
    this.name = 'TimerRequestError';
  }
}

export function badRequest(message: string): TimerRequestError {
  return new TimerRequestError(400, message);
}

export function notFound(message: string): TimerRequestError {
  return new TimerRequestError(404, message);
}
