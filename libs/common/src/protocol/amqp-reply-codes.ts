/** AMQP 0-9-1 reply codes the databus AMQP clients react to (spec section 1.2). @publicApi */
export const AmqpReplyCode = Object.freeze({
  CONNECTION_FORCED: 320,
  ACCESS_REFUSED: 403,
  NOT_FOUND: 404,
  RESOURCE_LOCKED: 405,
  PRECONDITION_FAILED: 406,
  NOT_ALLOWED: 530,
  INTERNAL_ERROR: 541,
});

/** The AMQP reply code carried by an amqplib error (numeric `code`), if any. */
export function amqpReplyCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
}
