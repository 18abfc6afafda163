/**
 * Names the load test's AWS stack (`app.ts`) and the suite's CloudWatch reader (`processor.ts`) share: where the
 * recorder's metrics are, and the timer's service name (the `Service` dimension of the construct's own metrics).
 */
import { METRIC_NAMESPACE } from '../../src/core/names';

export const LOAD_TEST_METRICS = {
  namespace: 'ServerlessTimerLoadTest',
  /** Every data point also has the dimension `Run`: the run id, the second field of the timer ids (`lt-{run}-{uuid}`). */
  dimensions: { Service: 'loadtest' },
  latency: 'DeliveryLateness',
  /** First deliveries, as a sum: the same count as the lateness metric's SampleCount. */
  firings: 'Firings',
  duplicates: 'DuplicateDeliveries',
  /** The namespace of the construct's own metrics (`DispatchLag`, ...). */
  engineNamespace: METRIC_NAMESPACE,
} as const;

export const LOAD_TEST_SERVICE_NAME = 'loadtest-timers';
