export { AmqpReplyCode, amqpReplyCode } from './amqp-reply-codes';
export type { AmqpDeclareOptions } from './amqp-declare-options';
export type { DeliveryMode } from './delivery-mode';
export { DELIVERY_MODES } from './delivery-mode';
export { PendingReplies } from './pending-replies';
export type { HttpAnswer } from './http-answer';
export { readHttpAnswer } from './http-answer';
