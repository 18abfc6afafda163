/**
 * The names that cross a process boundary, kept in one place: callback message attributes (the callback
 * contract), metric names and the metric namespace. The construct, the Lambda handlers, the local runtime
 * and the tests all import them from here.
 */

/** SQS message attribute names (and local handler record attributes) of every firing. */
export const MessageAttribute = {
  /** The timer's id. */
  TIMER_ID: 'TimerId',
  /** `periodic` or `oneshot`. */
  TIMER_KIND: 'TimerKind',
  /** Epoch milliseconds of the intended firing. */
  SCHEDULED_AT: 'ScheduledAt',
  /** `{id}@{ScheduledAt}`: identical for every duplicate of one firing, so consumers can deduplicate. */
  FIRING_ID: 'FiringId',
} as const;

/** The CloudWatch namespace the handlers write their Embedded Metric Format records to. */
export const METRIC_NAMESPACE = 'ServerlessTimer';

/** Metric names, shared by the handlers (which write them) and the construct (which graphs and alarms on them). */
export const MetricName = {
  /** Firings handed to the queue (count). */
  FIRINGS_DISPATCHED: 'FiringsDispatched',
  /** Firings sent after their scheduled second had passed (count). */
  LATE_FIRINGS: 'LateFirings',
  /** How long after its scheduled time the latest firing of a window was sent (milliseconds, 0 when on time). */
  DISPATCH_LAG: 'DispatchLag',
  /** Wall time of one tick invocation (milliseconds). */
  TICK_DURATION: 'TickDuration',
  /** Windows a tick dispatched that had already started: a missed or late tick being caught up (count). */
  WINDOWS_CAUGHT_UP: 'WindowsCaughtUp',
  /** Messages the queue still refused after every retry (count). */
  SEND_FAILURES: 'SendFailures',
  /**
   * Firings the queue refused for good, as the sender's fault (e.g. SQS's InvalidMessageContents): set aside and
   * logged with the timer id, the firing and the queue's code, never retried, so they hold no shard back (count).
   */
  FIRINGS_REJECTED: 'FiringsRejected',
  /** Ticks that stopped before their deadline with work left and handed the rest to a continuation (count). */
  TICK_CONTINUATIONS: 'TickContinuations',
  /**
   * Late firings a tick did not send because their timer's `missedFirings` is `latest`: every one of a caught-up span
   * but its latest (count).
   */
  FIRINGS_DROPPED_LATEST: 'FiringsDroppedLatest',
  /** Late firings not sent because their timer's `missedFirings` is `none` (count). */
  FIRINGS_DROPPED_NONE: 'FiringsDroppedNone',
  /** Periodic timers past their end taken out of the schedule by a tick (count). */
  TIMERS_RETIRED: 'TimersRetired',
  /**
   * How far the watermark of the next shard (shard n checks shard n+1, the last checks shard0) lags behind now, in
   * milliseconds; negative while that shard dispatches ahead, as it does when it ticks on time. Every tick checks one
   * other shard, so a shard that stops progressing for any reason (no invocations, a tick failing or killed every
   * time) shows in the ticks of its neighbour.
   */
  SHARD_WATERMARK_LAG: 'ShardWatermarkLag',
  /** A tick that found its shard held by another tick and stood down (count). */
  TICKS_SKIPPED: 'TicksSkipped',
  /** Timers created or replaced through the API (count). */
  TIMERS_CREATED: 'TimersCreated',
  /** Timers deleted through the API (count). */
  TIMERS_DELETED: 'TimersDeleted',
} as const;

/** The dimension every engine metric carries. */
export const METRIC_DIMENSION_SERVICE = 'Service';
