import { ConfigurationError } from '../errors';

/** The queue argument that makes a RabbitMQ queue a quorum queue (replicated with Raft). */
export const QUEUE_TYPE_ARGUMENT = 'x-queue-type';

/** A durable quorum queue without other arguments: the dead-letter queue of a quorum work queue. */
export const QUORUM_DECLARATION = Object.freeze({
  durable: true,
  exclusive: false,
  autoDelete: false,
  arguments: Object.freeze({ [QUEUE_TYPE_ARGUMENT]: 'quorum' }),
});

/** Queue arguments RabbitMQ 3.10 refuses (or ignores) on a quorum queue, with why. */
const CLASSIC_ONLY_ARGUMENTS: Readonly<Record<string, string>> = {
  'x-max-priority': 'quorum queues have no message priorities on RabbitMQ 3.10',
  'x-queue-mode': 'quorum queues keep their messages on disk already (there is no lazy mode)',
  'x-queue-master-locator': 'quorum queues choose their leader with x-queue-leader-locator',
  'x-queue-version': 'a classic queue storage version means nothing on a quorum queue',
};

/** The flags and arguments of a declaration, as `resolveAmqpDeclaration` produced them. */
interface DeclaredFlags {
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: Readonly<Record<string, unknown>>;
}

/** True when the declaration asks for a quorum queue (`queueType: 'quorum'`, resolved as `x-queue-type`). */
export function isQuorumDeclaration(d: { readonly arguments: Readonly<Record<string, unknown>> }): boolean {
  return d.arguments[QUEUE_TYPE_ARGUMENT] === 'quorum';
}

/**
 * Refuses, before anything is declared, what RabbitMQ refuses on a quorum queue (`option` names where the
 * declaration is set, e.g. `Worker.handle @TaskHandler.queueOptions`; `askedBy` how it asked for the quorum
 * type, named in the errors: the `queueType` option or, by default, the raw `x-queue-type` argument):
 * - `durable: false`, `exclusive: true`, `autoDelete: true` (a quorum queue is always durable and shared);
 * - classic-only arguments (`x-max-priority`, `x-queue-mode`, `x-queue-master-locator`, `x-queue-version`);
 * - `x-overflow: 'reject-publish-dlx'` (quorum queues know `drop-head` and `reject-publish` only);
 * - `x-delivery-limit` that is not a positive integer, or given without `x-dead-letter-exchange`: the broker
 *   would then drop a message delivered that many times, silently.
 * Any other declaration passes unchanged.
 */
export function assertQuorumDeclaration(
  d: DeclaredFlags,
  option: string,
  askedBy: 'queueType' | 'arguments' = 'arguments',
): void {
  if (!isQuorumDeclaration(d)) return;
  const quorum = askedBy === 'queueType' ? `${option}.queueType 'quorum'` : "x-queue-type 'quorum'";
  const refuse = (key: string, expected: string, received: unknown): never => {
    throw new ConfigurationError(`${option}.${key}`, expected, { received: JSON.stringify(received) });
  };
  if (!d.durable) refuse('durable', `true (a quorum queue is always durable: ${quorum})`, false);
  if (d.exclusive)
    refuse('exclusive', `false (a quorum queue cannot be exclusive to one connection: ${quorum})`, true);
  if (d.autoDelete)
    refuse('autoDelete', `false (a quorum queue is never deleted automatically: ${quorum})`, true);
  for (const [argument, why] of Object.entries(CLASSIC_ONLY_ARGUMENTS))
    if (d.arguments[argument] !== undefined)
      refuse(
        `arguments.${argument}`,
        `no ${argument} with ${quorum} (${why}); remove it, or declare a classic queue (queueType: 'classic')`,
        d.arguments[argument],
      );
  const overflow = d.arguments['x-overflow'];
  if (overflow !== undefined && overflow !== 'drop-head' && overflow !== 'reject-publish')
    refuse('arguments.x-overflow', "'drop-head' or 'reject-publish' on a quorum queue", overflow);
  const limit = d.arguments['x-delivery-limit'];
  if (limit === undefined) return;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1)
    refuse('arguments.x-delivery-limit', 'a positive integer (deliveries before the broker gives up)', limit);
  if (d.arguments['x-dead-letter-exchange'] === undefined)
    refuse(
      'arguments.x-dead-letter-exchange',
      "an exchange with x-delivery-limit (without one RabbitMQ drops a message delivered x-delivery-limit times, silently), e.g. x-dead-letter-exchange '' and x-dead-letter-routing-key '<queue>.dlq'",
      undefined,
    );
}
