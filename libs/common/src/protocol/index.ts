export { AmqpReplyCode, amqpReplyCode } from './amqp-reply-codes';
export { PendingReplies } from './pending-replies';
