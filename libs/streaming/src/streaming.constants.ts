/** Injection token of the connection (transport + resolved options) of the unnamed StreamingModule. */
export const STREAMING_CONNECTION = Symbol('databus:streaming_connection');
/** Injection token holding the connection name of a StreamingModule instance (`null` when unnamed). */
export const STREAMING_CONNECTION_NAME = Symbol('databus:streaming_connection_name');
/** Nest context type of dataset handlers: guards and interceptors see `host.getType() === 'databus'`. */
export const DATABUS_CONTEXT_TYPE = 'databus';
/** Default `maxWaitMs` of `subscribe()` pulls (the dataset client's 10 s). */
export const DEFAULT_PULL_MAX_WAIT_MS = 10_000;
/** Default `maxWaitMs` of `@OnDatasetMessage` handlers: low latency, still batching under load. */
export const DEFAULT_HANDLER_MAX_WAIT_MS = 100;

/** Token under which a named connection's `ChannelService` is provided. @publicApi */
export function getChannelToken(name?: string): string | symbol {
  return name ? `databus:channel:${name}` : 'databus:channel:default';
}

/** Token of a connection's `StreamingHandlerRegistry` (the class itself for the unnamed connection). @publicApi */
export function getStreamingRegistryToken(name?: string): string {
  return `databus:streaming-registry:${name ?? 'default'}`;
}

/** Token of a connection's `StreamingHealthIndicator` (the class itself for the unnamed connection). @publicApi */
export function getStreamingHealthToken(name?: string): string {
  return `databus:streaming-health:${name ?? 'default'}`;
}
