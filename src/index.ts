// The public surface of the library: the construct and the types its props use. Handlers and the engine stay internal.
export * from './serverless-timer';
export * from './dead-letter-queue';
export * from './api-authorization';
