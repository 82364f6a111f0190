import * as transportNode from '@nats-io/transport-node';
import type * as NatsCore from '@nats-io/nats-core';

/**
 * The nats.js client, loaded through `@nats-io/transport-node` (the package users install). Its typings
 * re-export `@nats-io/nats-core/internal`, which TypeScript's `node` module resolution cannot follow, so the
 * values are typed here with the core package's public typings (types only; nothing else is loaded).
 */
const client = transportNode as unknown as typeof NatsCore;

/** Connection options of the Node transport: the core options with Node's `tls.connect` options. */
export type NodeConnectionOptions = Omit<NatsCore.ConnectionOptions, 'tls'> & {
  tls?: Record<string, unknown> | null;
};

/** Opens a connection (`@nats-io/transport-node`'s `connect`). */
export const connect = transportNode.connect as unknown as (
  options: NodeConnectionOptions,
) => Promise<NatsCore.NatsConnection>;

export const { headers, nanos, createInbox, errors } = client;
export type {
  Auth,
  Authenticator,
  Msg,
  MsgHdrs,
  NatsConnection,
  ServerInfo,
  Subscription,
} from '@nats-io/nats-core';
