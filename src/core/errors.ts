/**
 * The one error type the engine throws for a request it refuses. Both shells (the API Lambda and the local
 * server) turn it into `{statusCode, {"message": ...}}`; anything else becomes a 500 with a generic message.
 */
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
