export { AmqpTransport, amqpTransportFactory } from './amqp.transport';
export type { AmqpTransportOptions, AmqpRetentionOptions } from './amqp.options';
export { AmqpHeaders } from './amqp-wire';
