export { MemoryTransport, memoryTransportFactory } from './memory.transport';
export { MemoryBroker } from './memory-broker';
export type { MemoryTransportOptions } from './memory.options';
export type { MemoryRetention, StoredRecord } from './memory-log';
