// The public surface of the library: the construct and the types its props use. Handlers, the engine and the
// construct's internal parts (`table/`, `queue/queue-part`, `api/api-part`, `tick/tick-part`, `monitoring/`) stay internal.
export * from './serverless-timer';
export * from './queue/dead-letter-queue';
export * from './api/api-authorization';
export * from './monitoring/timer-metric-name';
