export type { BatchSender } from './tick-coalescer';
export { MAX_COALESCED_BATCH, TickCoalescer } from './tick-coalescer';
export { type DeadlineEntry, DeadlineQueue } from './deadline-queue';
export { type Settleable, SettledFifo } from './settled-fifo';
