import { DatabusMetrics, MetricLabels } from '@databus/common';
import { JwtManager } from './jwt-manager';
import { TokenRequestError } from './auth.errors';
import { tokenFactory } from '../test/helpers/fake-jwt';

describe('JwtManager metrics', () => {
  it('counts successful and failed token refreshes per source', async () => {
    const counted: Array<[string, MetricLabels | undefined]> = [];
    const metrics: DatabusMetrics = {
      increment: (name, labels) => void counted.push([name, labels]),
      observe: () => undefined,
      set: () => undefined,
    };
    const mint = tokenFactory();
    let fail = false;
    const manager = JwtManager.create({
      name: 'gateway',
      strategy: 'custom',
      logger: false,
      metrics,
      fetchToken: async () => {
        if (fail) throw new TokenRequestError('endpoint down', { code: 'ECONNREFUSED' });
        return mint(Date.now(), 3600);
      },
    });
    try {
      await manager.getToken();
      fail = true;
      await manager.forceRefresh().catch(() => undefined);
      expect(counted).toEqual([
        ['databus_token_refreshes_total', { source: 'gateway', outcome: 'ok' }],
        ['databus_token_refreshes_total', { source: 'gateway', outcome: 'failed' }],
      ]);
    } finally {
      await manager.close();
    }
  });

  it('rejects a metrics option that is not a DatabusMetrics, naming it', () => {
    expect(() =>
      JwtManager.create({
        strategy: 'custom',
        logger: false,
        fetchToken: async () => 'x',
        metrics: {} as DatabusMetrics,
      }),
    ).toThrow(/JwtAuthModule\.metrics/);
  });
});
