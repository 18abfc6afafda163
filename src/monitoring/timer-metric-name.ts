/**
 * The names of the metrics the engine publishes, as the public type `ServerlessTimer.metric()` takes. The handlers
 * write the same names from `core/names.ts` (the engine does not depend on the construct library); a test keeps the
 * two lists equal.
 */

/** The name of an engine metric, in the `ServerlessTimer` namespace with the timer's `Service` dimension. */
export enum TimerMetricName {
  /** Firings handed to the queue (count). */
  FIRINGS_DISPATCHED = 'FiringsDispatched',
  /** Firings sent after their scheduled second had passed (count). */
  LATE_FIRINGS = 'LateFirings',
  /** How long after its scheduled time the latest firing of a window was sent (milliseconds, 0 when on time). */
  DISPATCH_LAG = 'DispatchLag',
  /** Wall time of one tick invocation (milliseconds). */
  TICK_DURATION = 'TickDuration',
  /** Windows a tick dispatched that had already started: a missed or late tick being caught up (count). */
  WINDOWS_CAUGHT_UP = 'WindowsCaughtUp',
  /** Messages the queue still refused after every retry (count). */
  SEND_FAILURES = 'SendFailures',
  /** Firings the queue refused for good, as the sender's fault, set aside and logged instead of delivered (count). */
  FIRINGS_REJECTED = 'FiringsRejected',
  /** Ticks that stopped before their deadline with work left and handed the rest to a continuation (count). */
  TICK_CONTINUATIONS = 'TickContinuations',
  /** Late firings not sent because their timer's `missedFirings` is `latest`: all of a caught-up span but its latest (count). */
  FIRINGS_DROPPED_LATEST = 'FiringsDroppedLatest',
  /** Late firings not sent because their timer's `missedFirings` is `none` (count). */
  FIRINGS_DROPPED_NONE = 'FiringsDroppedNone',
  /** Periodic timers past their end taken out of the schedule by a tick (count). */
  TIMERS_RETIRED = 'TimersRetired',
  /** How far the next shard's watermark lags behind now (milliseconds; negative while it dispatches ahead). */
  SHARD_WATERMARK_LAG = 'ShardWatermarkLag',
  /** Ticks that found their shard held by another tick and stood down (count). */
  TICKS_SKIPPED = 'TicksSkipped',
  /** Timers created or replaced through the API (count). */
  TIMERS_CREATED = 'TimersCreated',
  /** Timers deleted through the API (count). */
  TIMERS_DELETED = 'TimersDeleted',
}
