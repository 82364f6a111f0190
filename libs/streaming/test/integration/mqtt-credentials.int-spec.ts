import { BrokerCredentials, CredentialsProvider, CredentialsRefreshInfo } from '@databus/common';
import { describeWithBroker, uniqueName, waitFor } from '@databus/testing';
import { IncomingRecord, TransportStatus } from '@databus/streaming';
import { missing, mqttTransport, numbered, spec } from './mqtt-helpers';

/** A provider whose token the test rotates, like the auth lib's JWT credentials. */
function rotatingToken(): CredentialsProvider & { rotate(token: string): void; reads: string[] } {
  let current: BrokerCredentials = { username: 'svc', token: 'token-1' };
  const listeners = new Set<(c: BrokerCredentials, info: CredentialsRefreshInfo) => void>();
  const reads: string[] = [];
  return {
    reads,
    get: async () => current,
    current: () => {
      reads.push(current.token as string);
      return current;
    },
    onRefresh: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    rotate(token: string) {
      current = { username: 'svc', token };
      for (const listener of listeners) listener(current, { principalChanged: false });
    },
  };
}

describeWithBroker('mqtt', 'mqtt credentials refresh', () => {
  it('reconnects with the refreshed token (password = token) without losing QoS 1 messages', async () => {
    const credentials = rotatingToken();
    const transport = mqttTransport({ credentials });
    const statuses: TransportStatus['type'][] = [];
    transport.onStatus((s) => statuses.push(s.type));
    await transport.connect();
    const dataset = uniqueName('mqtt-creds');
    const sub = await transport.subscribe(spec(dataset, { group: uniqueName('g'), prefetch: 20 }));
    const received: IncomingRecord[] = [];
    let consuming = true;
    const consumer = (async () => {
      while (consuming) {
        const batch = await sub.fetch(20, 50);
        received.push(...batch);
        await sub.ack(batch);
      }
    })();
    try {
      const total = 300;
      const records = numbered(total);
      for (let i = 0; i < total; i++) {
        if (i === 100) credentials.rotate('token-2');
        await transport.produce(dataset, [records[i]]);
      }
      await waitFor(() => missing(received, total).length === 0, { message: 'all 300 messages' });
      // Both connections reconnected on purpose, reading the new token synchronously before CONNECT.
      expect(credentials.reads.filter((t) => t === 'token-2').length).toBeGreaterThanOrEqual(2);
      expect(statuses.filter((s) => s === 'connected').length).toBeGreaterThanOrEqual(2);
      expect(statuses).toContain('reconnecting');
    } finally {
      consuming = false;
      await consumer.catch(() => undefined);
      await sub.close();
      await transport.close();
    }
  });
});
