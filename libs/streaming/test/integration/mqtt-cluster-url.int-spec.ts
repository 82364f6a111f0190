import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  brokerUrl,
  describeWithBroker,
  freePorts,
  ProcessCluster,
  uniqueName,
  waitFor,
} from '@databus/testing';
import { StreamingTransport } from '@databus/streaming';
import { drain, missing, mqttTransport, numbered, quietLogger, spec } from './mqtt-helpers';

/** `host:port` of the test Mosquitto (127.0.0.1:1883). */
const live = (): string => {
  const url = new URL(brokerUrl('mqtt'));
  return `${url.hostname}:${url.port || 1883}`;
};

/**
 * Cluster URLs on MQTT: mqtt.js takes the URL's hosts in turn (its `servers`), and the transport tries the
 * next host when one closes before CONNACK, at bootstrap and on reconnect. MQTT brokers share no state: a
 * session, retained messages and what was queued on the lost broker stay there.
 */
describeWithBroker('mqtt', 'mqtt transport on a cluster URL', () => {
  const transports: StreamingTransport[] = [];
  const open = async (url: string, clientId?: string): Promise<StreamingTransport> => {
    const transport = mqttTransport({ url, clientId, logger: quietLogger() });
    transports.push(transport);
    await transport.connect();
    return transport;
  };
  afterEach(async () => {
    for (const t of transports.splice(0)) await t.close();
  });

  it('connects through the second host when the first does not answer, and moves messages', async () => {
    const transport = await open(`mqtt://127.0.0.1:1,${live()}`);
    expect(transport.status.type).toBe('connected');
    const dataset = uniqueName('mqtt-first-down');
    const sub = await transport.subscribe(spec(dataset));
    try {
      await transport.produce(dataset, numbered(5));
      expect(missing(await drain(sub, 5), 5)).toEqual([]);
    } finally {
      await sub.close();
    }
  });

  it('fails over to the next host when the broker it used goes away, and carries on there', async () => {
    const [port] = await freePorts(1);
    const first = await ProcessCluster.start({
      name: 'mqtt-cluster-url',
      lifetimeSec: 120,
      nodes: [
        {
          name: 'm1',
          command: 'mosquitto',
          port,
          args: (dir) => {
            const conf = join(dir, 'mosquitto.conf');
            writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
            return ['-c', conf];
          },
        },
      ],
    });
    try {
      const url = `mqtt://127.0.0.1:${port},${live()}`;
      const producer = await open(url, uniqueName('mqtt-failover-p'));
      const consumer = await open(url, uniqueName('mqtt-failover-c'));
      const dataset = uniqueName('mqtt-failover');
      const sub = await consumer.subscribe(spec(dataset));
      try {
        await producer.produce(dataset, numbered(5));
        expect(missing(await drain(sub, 5), 5)).toEqual([]); // both on the first host: the only way they meet
        const killedAt = Date.now();
        await first.stop('m1');
        await waitFor(() => producer.status.type === 'connected' && consumer.status.type === 'connected', {
          message: 'both connections on the second host',
          timeoutMs: 20_000,
        });
        // Nothing of the first broker came along (MQTT brokers do not replicate): the subscription is made
        // again on the second host (a new session there), then what is produced arrives.
        const resumed = await waitFor(
          async () => {
            await producer.produce(dataset, numbered(1, 100));
            const got = await drain(sub, 1, { timeoutMs: 500 });
            return got.length > 0 ? Date.now() : undefined;
          },
          { message: 'a message through the second host', timeoutMs: 20_000 },
        );
        await producer.produce(dataset, numbered(5, 6));
        const after = new Set<number>();
        await waitFor(
          async () => {
            for (const r of await drain(sub, 5, { timeoutMs: 500 }))
              after.add(JSON.parse(r.data.toString()).n);
            return [6, 7, 8, 9, 10].every((n) => after.has(n));
          },
          { message: 'messages 6..10 through the second host', timeoutMs: 10_000 },
        );
        expect([...after].filter((n) => n !== 100).sort((a, b) => a - b)).toEqual([6, 7, 8, 9, 10]);
        process.stdout.write(
          `mqtt failover: first message through the second host ${resumed - killedAt} ms after the kill\n`,
        );
      } finally {
        await sub.close();
      }
    } finally {
      await first.close();
    }
  });
});
