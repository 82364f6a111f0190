import type { BrokerHost, BrokerUrl } from '../config/parse-broker-url';
import { PAYLOAD_PARAM, ROUTE_ARGS_METADATA } from './rpc-params';

/**
 * The key of the method by which a databus connection describes what it consumes, for documentation
 * generators such as `@databus/asyncapi`. A registered symbol, so two copies of this package agree on it.
 */
export const DESCRIBE_MESSAGING = Symbol.for('databus.describeMessaging');

/** One decorated handler method of a connection. */
export interface CatalogHandler {
  /** `Class.method`. */
  id: string;
  /** `dataset` (`@OnDatasetMessage`), `task` (`@TaskHandler`) or `event` (`@EventSubscriber`). */
  kind: 'dataset' | 'task' | 'event';
  /** The dataset, task queue or event exchange the handler consumes. */
  address: string;
  /** The consumer group (datasets) or shared queue (events), when there is one. */
  group?: string;
  /** The class of the handler's `@Payload()` parameter, when it is declared with one (a DTO). */
  payloadType?: abstract new (...args: never[]) => unknown;
}

/** Where a connection's broker is, with no user, password or query parameters (which may hold secrets). */
export interface CatalogServer {
  scheme: string;
  hosts: BrokerHost[];
  /** AMQP vhost, memory broker name; '' when absent. */
  path: string;
}

/** What one module connection (`StreamingModule`, `TaskQueueModule`) consumes and from where. */
export interface MessagingCatalog {
  /** `streaming` or `queue`. */
  library: 'streaming' | 'queue';
  /** The connection name (`default` when unnamed). */
  connection: string;
  server: CatalogServer;
  handlers: CatalogHandler[];
}

/** A provider that describes its connection under {@link DESCRIBE_MESSAGING}. */
export interface MessagingCatalogSource {
  [DESCRIBE_MESSAGING](): MessagingCatalog;
}

/** True when `value` is a provider instance that describes a connection. */
export function isMessagingCatalogSource(value: unknown): value is MessagingCatalogSource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<MessagingCatalogSource>)[DESCRIBE_MESSAGING] === 'function'
  );
}

/** The broker location of `url` without credentials or query. */
export function catalogServer(url: BrokerUrl): CatalogServer {
  return { scheme: url.scheme, hosts: url.hosts.map(({ host, port }) => ({ host, port })), path: url.path };
}

/** A handler as a connection lists it for its catalog: the method that holds it, and what it consumes. */
export interface CatalogMethod extends Omit<CatalogHandler, 'payloadType'> {
  /** The provider instance whose method it is. */
  instance: object;
  methodKey: string;
}

/**
 * The catalog of one connection (what `[DESCRIBE_MESSAGING]()` returns): the broker of `url` without
 * credentials, and each handler with the class of its `@Payload()` parameter, when it declares one.
 */
export function messagingCatalog(
  library: MessagingCatalog['library'],
  connection: string,
  url: BrokerUrl,
  methods: readonly CatalogMethod[],
): MessagingCatalog {
  const handlers = methods.map(({ instance, methodKey, ...handler }) => ({
    ...handler,
    payloadType: payloadParamType(Object.getPrototypeOf(instance) as object, methodKey),
  }));
  return { library, connection, server: catalogServer(url), handlers };
}

/** reflect-metadata's reader, typed here so this file needs no import of it (Nest loads it). */
const metadata = Reflect as unknown as {
  getMetadata?(key: string, target: object, property?: string): unknown;
};

/**
 * The declared class of the `@Payload()` parameter (the whole body, not `@Payload('field')`) of
 * `prototype[methodKey]`, read from Nest's route-argument metadata and TypeScript's `design:paramtypes`.
 * Undefined when there is none or when it is not a class of the user's (`Object`, `String`, …).
 */
export function payloadParamType(
  prototype: object,
  methodKey: string,
): (abstract new (...args: never[]) => unknown) | undefined {
  const args = metadata.getMetadata?.(ROUTE_ARGS_METADATA, prototype.constructor, methodKey) as
    Record<string, { index: number; data?: unknown }> | undefined;
  if (!args) return undefined;
  const entry = Object.entries(args).find(
    ([key, arg]) => key.startsWith(`${PAYLOAD_PARAM}:`) && arg.data === undefined,
  )?.[1];
  if (!entry) return undefined;
  const types = metadata.getMetadata?.('design:paramtypes', prototype, methodKey) as unknown[] | undefined;
  const type = types?.[entry.index];
  if (typeof type !== 'function' || BUILT_INS.has(type)) return undefined;
  return type as abstract new (...args: never[]) => unknown;
}

const BUILT_INS = new Set<unknown>([
  Object,
  String,
  Number,
  Boolean,
  Array,
  Buffer,
  Uint8Array,
  Promise,
  Function,
]);
