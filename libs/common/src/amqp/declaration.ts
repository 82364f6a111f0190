import type { Options } from 'amqplib';
import { assertKnownOptions } from '../config';
import { ConfigurationError, errorMessage } from '../errors';
import { redactText } from '../logging';
import { AmqpDeclareOptions, AmqpReplyCode, amqpReplyCode } from '../protocol';
import { assertQuorumDeclaration, QUEUE_TYPE_ARGUMENT } from './quorum';

/** What is declared: a queue or an exchange. */
export type AmqpDeclaredKind = 'queue' | 'exchange';

/** `AmqpDeclareOptions` validated, with the defaults applied (durable, not exclusive, not auto-delete). */
export interface ResolvedAmqpDeclaration {
  readonly durable: boolean;
  readonly exclusive: boolean;
  readonly autoDelete: boolean;
  readonly arguments: Readonly<Record<string, unknown>>;
}

/** Today's safe default: a durable queue or exchange without arguments. */
export const DURABLE_DECLARATION: ResolvedAmqpDeclaration = Object.freeze({
  durable: true,
  exclusive: false,
  autoDelete: false,
  arguments: Object.freeze({}),
});

const QUEUE_KEYS = [
  'durable',
  'exclusive',
  'autoDelete',
  'queueType',
  'arguments',
] as const satisfies readonly (keyof AmqpDeclareOptions)[];
const EXCHANGE_KEYS = ['durable', 'autoDelete', 'arguments'] as const;

/**
 * Validates declaration options given by a user (`option` names where, e.g.
 * `StatsWorker.compute @TaskHandler.queueOptions`): unknown keys and `exclusive` or `queueType` on an exchange
 * are refused with a `ConfigurationError`, and so is what a quorum queue cannot be (`assertQuorumDeclaration`);
 * absent: the durable default. `queueType` becomes the `x-queue-type` argument of the resolved declaration.
 */
export function resolveAmqpDeclaration(
  value: unknown,
  option: string,
  kind: AmqpDeclaredKind,
): ResolvedAmqpDeclaration {
  if (value === undefined) return DURABLE_DECLARATION;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigurationError(option, '{ durable?, exclusive?, autoDelete?, arguments? }', {
      received: Array.isArray(value) ? 'an array' : typeof value,
    });
  assertKnownOptions(value, kind === 'queue' ? QUEUE_KEYS : EXCHANGE_KEYS, option);
  const raw = value as AmqpDeclareOptions;
  const flag = (key: 'durable' | 'exclusive' | 'autoDelete', fallback: boolean): boolean => {
    const v = raw[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean')
      throw new ConfigurationError(`${option}.${key}`, 'true or false', { received: typeof v });
    return v;
  };
  const args = raw.arguments;
  if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args)))
    throw new ConfigurationError(`${option}.arguments`, 'an object of AMQP queue or exchange arguments', {
      received: Array.isArray(args) ? 'an array' : typeof args,
    });
  const queueType = resolveQueueType(raw, option);
  const resolved = Object.freeze({
    durable: flag('durable', true),
    exclusive: flag('exclusive', false),
    autoDelete: flag('autoDelete', false),
    arguments: Object.freeze(
      queueType === undefined ? { ...(args ?? {}) } : { ...args, [QUEUE_TYPE_ARGUMENT]: queueType },
    ),
  });
  if (kind === 'queue')
    assertQuorumDeclaration(resolved, option, queueType === undefined ? undefined : 'queueType');
  return resolved;
}

/** `queueType`, checked against itself and against an `x-queue-type` given in `arguments` too. */
function resolveQueueType(raw: AmqpDeclareOptions, option: string): 'quorum' | 'classic' | undefined {
  const queueType: unknown = raw.queueType;
  if (queueType === undefined) return undefined;
  if (queueType !== 'quorum' && queueType !== 'classic')
    throw new ConfigurationError(`${option}.queueType`, "'quorum' or 'classic'", {
      received: JSON.stringify(queueType) ?? typeof queueType,
    });
  const argument = raw.arguments?.[QUEUE_TYPE_ARGUMENT];
  if (argument !== undefined && argument !== queueType)
    throw new ConfigurationError(
      `${option}.queueType`,
      `the queue type that arguments.${QUEUE_TYPE_ARGUMENT} gives (${JSON.stringify(argument)}); give the type once, as queueType`,
      { received: JSON.stringify(queueType) },
    );
  return queueType;
}

/** True when two declarations of one name are the same (same flags and arguments). */
export function sameAmqpDeclaration(a: ResolvedAmqpDeclaration, b: ResolvedAmqpDeclaration): boolean {
  return declarationKey(a) === declarationKey(b);
}

/** A stable text of a declaration, for caches keyed by what was declared. */
export function declarationKey(d: ResolvedAmqpDeclaration): string {
  const args = Object.keys(d.arguments)
    .sort()
    .map((k) => [k, d.arguments[k]]);
  return JSON.stringify([d.durable, d.exclusive, d.autoDelete, args]);
}

/** amqplib's `assertQueue` options; `extra` arguments (e.g. the module's `x-max-priority`) come first. */
export function amqpQueueArgs(
  d: ResolvedAmqpDeclaration,
  extra: Readonly<Record<string, unknown>> = {},
): Options.AssertQueue {
  const args = { ...extra, ...d.arguments };
  const options: Options.AssertQueue = { durable: d.durable };
  if (d.exclusive) options.exclusive = true;
  if (d.autoDelete) options.autoDelete = true;
  if (Object.keys(args).length > 0) options.arguments = args;
  return options;
}

/** amqplib's `assertExchange` options. */
export function amqpExchangeArgs(d: ResolvedAmqpDeclaration): Options.AssertExchange {
  const options: Options.AssertExchange = { durable: d.durable };
  if (d.autoDelete) options.autoDelete = true;
  if (Object.keys(d.arguments).length > 0) options.arguments = { ...d.arguments };
  return options;
}

/** What a refused declaration was about, to name it in the error. */
export interface AmqpDeclarationTarget {
  kind: AmqpDeclaredKind;
  name: string;
  /** Where the declaration options are set, e.g. `StatsWorker.compute @TaskHandler.queueOptions`. */
  option: string;
  /** Overrides the option named for a broker argument (e.g. `x-max-priority` → `TaskQueueModule.maxPriority`). */
  argumentOption?: (argument: string) => string | undefined;
}

const INEQUIVALENT =
  /inequivalent arg '([^']+)' for (?:queue|exchange) '[^']*'[^:]*: received (.+?) but current is (.+?)"?$/i;
const FLAG_OPTIONS: Record<string, string> = { durable: 'durable', auto_delete: 'autoDelete', type: 'type' };

/**
 * Turns RabbitMQ's refusal of a declaration that differs from the existing queue or exchange into a
 * `ConfigurationError` naming the queue (or exchange) and the option that differs, with the value the broker
 * holds as what is expected:
 * - 406 PRECONDITION_FAILED `inequivalent arg 'durable' …: received 'true' but current is 'false'`;
 * - 405 RESOURCE_LOCKED on a queue whose `exclusive` differs (or that another connection holds exclusively).
 * Anything else: `undefined` (the caller maps it).
 */
export function amqpDeclarationMismatch(
  error: unknown,
  target: AmqpDeclarationTarget,
): ConfigurationError | undefined {
  const code = amqpReplyCode(error);
  const text = redactText(errorMessage(error));
  const what = `the existing ${target.kind} "${target.name}"`;
  const advice = `declare "${target.name}" the same way in every program that uses it, or delete it`;
  if (code === AmqpReplyCode.RESOURCE_LOCKED && target.kind === 'queue' && /exclusive/i.test(text))
    return new ConfigurationError(
      `${target.option}.exclusive`,
      `the exclusive flag of ${what} (RabbitMQ refused the declaration with RESOURCE_LOCKED: it is exclusive to another connection, or its exclusive flag differs); ${advice}`,
      { cause: error },
    );
  if (code !== AmqpReplyCode.PRECONDITION_FAILED) return undefined;
  const match = INEQUIVALENT.exec(text);
  if (!match) return undefined;
  const [, argument, received, current] = match;
  const option =
    target.argumentOption?.(argument) ??
    (FLAG_OPTIONS[argument]
      ? `${target.option}.${FLAG_OPTIONS[argument]}`
      : `${target.option}.arguments.${argument}`);
  return new ConfigurationError(
    option,
    `${describeValue(current)} as declared on ${what} (RabbitMQ refused the declaration with PRECONDITION_FAILED); ${advice}`,
    { received: describeValue(received), cause: error },
  );
}

/** `'true'` → `true`, `the value '5' of type 'byte'` → `5`, `none` → `absent`. */
function describeValue(text: string): string {
  const value = /^(?:the value )?'([^']*)'/.exec(text.trim());
  if (value) return value[1];
  return text.trim() === 'none' ? 'absent' : text.trim();
}
