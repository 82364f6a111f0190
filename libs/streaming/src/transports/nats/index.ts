export { NatsTransport, natsTransportFactory } from './nats.transport';
export { NatsWireHeaders } from './nats-wire';
export type { NatsTransportOptions, NatsStreamOptions } from './nats.options';
