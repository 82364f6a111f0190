export { NatsTransport, natsTransportFactory } from './nats.transport';
export { NatsWireHeaders } from './nats-wire-headers';
export type { NatsTransportOptions, NatsStreamOptions } from './nats.options';
