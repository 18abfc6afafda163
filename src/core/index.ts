/**
 * The engine, free of AWS and storage: the model, validation, schedule arithmetic, sharding, dispatch planning,
 * the tick and the API. Adapters (`src/aws`, `src/local`) implement `ports.ts` and call `TimerApi` and `Ticker`.
 */
export * from './api';
export * from './config';
export * from './cron';
export * from './dispatch';
export * from './errors';
export * from './hash';
export * from './model';
export * from './names';
export * from './ports';
export * from './schedule';
export * from './ticker';
export * from './validate';
