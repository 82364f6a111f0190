/**
 * @databus/common/amqp: the private AMQP 0-9-1 client layer that the streaming amqp transport and the queue's
 * RabbitMQ backend both build on (connection and recovery, connect arguments, error mapping, confirm
 * publishing). Not part of the public API: its names may change in any release. amqplib is loaded only when
 * a connection opens.
 * @packageDocumentation
 */
export type { AmqpTarget, AmqpConnectArgs } from './connect-args';
export { amqpConnectArgs, amqpLogin, describeAmqpHost } from './connect-args';
export { mapAmqpConnectError } from './connect-error.mapper';
export type { AmqpClientOptions, AmqpClientStatus } from './amqp-client';
export { AmqpClient } from './amqp-client';
export { loadAmqplib } from './load-amqplib';
export { AmqpChannelSlot, PUBLISH_BACKOFF } from './channel-slot';
export { AmqpSpareChannel } from './spare-channel';
export type {
  AmqpConfirmPublisherOptions,
  AmqpPublication,
  PublishPreparation,
  TimedAmqpPublication,
} from './confirm-publisher';
export { AmqpConfirmPublisher } from './confirm-publisher';
export { mapAmqpPublishError } from './publish-error.mapper';
export { type AmqpChannelErrorOptions, mapAmqpChannelError } from './channel-error.mapper';
export type { AmqpSettleChannel } from './ack-batcher';
export { AmqpAckBatcher } from './ack-batcher';
export type { AmqpDeclaredKind, AmqpDeclarationTarget, ResolvedAmqpDeclaration } from './declaration';
export {
  amqpDeclarationMismatch,
  amqpExchangeArgs,
  amqpQueueArgs,
  declarationKey,
  DURABLE_DECLARATION,
  resolveAmqpDeclaration,
  sameAmqpDeclaration,
} from './declaration';
export {
  assertQuorumDeclaration,
  isQuorumDeclaration,
  QUEUE_TYPE_ARGUMENT,
  QUORUM_DECLARATION,
} from './quorum';
