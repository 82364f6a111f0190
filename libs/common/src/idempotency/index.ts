export type { IdempotencyStore, IdempotentDelivery, IdempotentOutcome } from './idempotency-store.interface';
export { IDEMPOTENCY_STORE } from './idempotency-store.interface';
export type { ProviderLookup } from './idempotent-invoker';
export { requireIdempotencyStore, idempotentInvoker } from './idempotent-invoker';
