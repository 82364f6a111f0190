export { AmqpReplyCode, amqpReplyCode } from './amqp-reply-codes';
