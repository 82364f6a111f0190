import { ConfigurationError, TemporaryError } from '@databus/common';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { ServerInfo } from './nats-client';
import { ResolvedNatsOptions } from './nats.options';

/** JetStream API codes about replica placement (nats-server's errors.json). */
export const JS_REPLICA_CODES = {
  /** `replicas > 1 not supported in non-clustered mode` */
  notClustered: 10074,
  /** `no suitable peers for placement` */
  noPeers: 10005,
  /** `insufficient resources` */
  insufficientResources: 10023,
  /** `consumer config replica count exceeds parent stream` */
  consumerExceedsStream: 10126,
} as const;

/**
 * The number of nodes of the JetStream cluster behind a connection: 1 when the server is not clustered;
 * otherwise the larger of the nodes the server announces (`connect_urls`: the members that are up) and the
 * hosts the URL names (so that a node being down while an app starts does not shrink the cluster).
 */
export function clusterSize(info: ServerInfo | undefined, urlHosts: number): number {
  if (!info?.cluster) return 1;
  return Math.max(new Set(info.connect_urls ?? []).size, urlHosts, 1);
}

/**
 * Refuses (at connect) replica counts the cluster cannot hold: `stream.replicas` or `consumerReplicas`
 * above its size, and consumer replicas above the stream's, each a `ConfigurationError` naming the option.
 */
export function assertReplicasFit(
  options: ResolvedNatsOptions,
  info: ServerInfo | undefined,
  urlHosts: number,
): void {
  const size = clusterSize(info, urlHosts);
  const where = info?.cluster
    ? `the JetStream cluster "${info.cluster}" has ${size} node${size === 1 ? '' : 's'}`
    : 'the NATS server is not clustered';
  const check = (value: number | undefined, name: string): void => {
    if (value !== undefined && value > size)
      throw new ConfigurationError(`transportOptions.${name}`, `at most ${size} (${where})`, {
        received: String(value),
      });
  };
  check(options.stream.replicas, 'stream.replicas');
  check(options.consumerReplicas, 'consumerReplicas');
}

/**
 * A refused placement of a stream or consumer, mapped: not clustered or above the stream's replicas is a
 * `ConfigurationError` naming `option`; no peers (nodes down) a `TemporaryError` (the size was checked at
 * connect, so the nodes are expected back). Anything else: `undefined` (the caller maps it).
 */
export function mapReplicaRefusal(error: unknown, option: string, replicas: number): Error | undefined {
  if (!(error instanceof JetStreamApiError)) return undefined;
  switch (error.code) {
    case JS_REPLICA_CODES.notClustered:
      return new ConfigurationError(option, 'at most 1 (the NATS server is not clustered)', {
        received: String(replicas),
        cause: error,
      });
    case JS_REPLICA_CODES.consumerExceedsStream:
      return new ConfigurationError(option, "at most the stream's replicas", {
        received: String(replicas),
        cause: error,
      });
    case JS_REPLICA_CODES.noPeers:
    case JS_REPLICA_CODES.insufficientResources:
      return new TemporaryError(
        `nats: not enough JetStream nodes are up to place ${replicas} replicas (${error.message})`,
        { cause: error },
      );
    default:
      return undefined;
  }
}
