import { ConfigurationError, TemporaryError } from '@databus/common';
import { JetStreamApiError } from '@nats-io/jetstream';
import type { ServerInfo } from './nats-client';
import { assertReplicasFit, clusterSize, JS_REPLICA_CODES, mapReplicaRefusal } from './nats-replicas';
import { resolveNatsOptions } from './nats.options';

const info = (extra: Partial<ServerInfo>): ServerInfo => ({ server_id: 'x', ...extra }) as ServerInfo;
const apiError = (errCode: number, description: string) =>
  new JetStreamApiError({ code: 400, err_code: errCode, description });

describe('nats replicas', () => {
  it('counts a standalone server as one node, a cluster by its announced nodes or the URL hosts', () => {
    expect(clusterSize(info({}), 3)).toBe(1);
    const three = ['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3'];
    expect(clusterSize(info({ cluster: 'c', connect_urls: three }), 1)).toBe(3);
    // One node down while the app starts: the URL still names all three.
    expect(clusterSize(info({ cluster: 'c', connect_urls: three.slice(0, 2) }), 3)).toBe(3);
    expect(clusterSize(info({ cluster: 'c' }), 1)).toBe(1);
  });

  it('refuses stream replicas above the cluster size, naming the option and the size', () => {
    const options = resolveNatsOptions({ stream: { replicas: 3 } });
    const error = (() => {
      try {
        assertReplicasFit(options, info({ cluster: 'c', connect_urls: ['a:1', 'b:1'] }), 1);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('transportOptions.stream.replicas');
    expect((error as ConfigurationError).message).toContain(
      'at most 2 (the JetStream cluster "c" has 2 nodes)',
    );
  });

  it('refuses consumer replicas above the size of a standalone server, and accepts what fits', () => {
    expect(() => assertReplicasFit(resolveNatsOptions({ consumerReplicas: 2 }), info({}), 1)).toThrow(
      expect.objectContaining({
        option: 'transportOptions.consumerReplicas',
        message: expect.stringContaining('the NATS server is not clustered'),
      }),
    );
    const fits = resolveNatsOptions({ stream: { replicas: 3 }, consumerReplicas: 3 });
    expect(() =>
      assertReplicasFit(fits, info({ cluster: 'c', connect_urls: ['a', 'b', 'c'] }), 3),
    ).not.toThrow();
  });

  it('maps placement refusals: not clustered or above the stream → ConfigurationError, no peers → TemporaryError', () => {
    const notClustered = mapReplicaRefusal(apiError(JS_REPLICA_CODES.notClustered, 'no'), 'o.r', 3);
    expect(notClustered).toBeInstanceOf(ConfigurationError);
    expect((notClustered as ConfigurationError).option).toBe('o.r');
    const above = mapReplicaRefusal(apiError(JS_REPLICA_CODES.consumerExceedsStream, 'x'), 'o.c', 3);
    expect(above).toBeInstanceOf(ConfigurationError);
    const noPeers = mapReplicaRefusal(apiError(JS_REPLICA_CODES.noPeers, 'no suitable peers'), 'o.r', 3);
    expect(noPeers).toBeInstanceOf(TemporaryError);
    expect(noPeers?.message).toContain('place 3 replicas');
    expect(mapReplicaRefusal(apiError(10059, 'stream not found'), 'o.r', 3)).toBeUndefined();
    expect(mapReplicaRefusal(new Error('other'), 'o.r', 3)).toBeUndefined();
  });
});
