export { RestStreamingTransport, restTransportFactory } from './rest.transport';
export type { RestStreamingTransportOptions } from './rest.options';
export { DEFAULT_CONSUMER_PATH_PREFIX, DEFAULT_PRODUCER_PATH_PREFIX } from './rest.options';
export { RECORDS_CONTENT_TYPE } from './rest-wire';
