export type ExpectedTimer =
  | { readonly kind: 'periodic'; readonly interval: number; readonly offset: number; readonly startAt?: number; readonly endAt?: number }
  | { readonly kind: 'oneshot'; readonly fireAt: number };
export declare function expectedPerMinute(timers: readonly ExpectedTimer[], fromMs: number, toMs: number): Record<string, number>;
