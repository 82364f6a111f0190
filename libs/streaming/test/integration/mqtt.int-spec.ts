import { brokerUrl, describeWithBroker, uniqueName } from '@databus/testing';
import { IncomingRecord, StreamingTransport } from '@databus/streaming';
import { describeConformance } from '../conformance';
import {
  ensureMosquitto,
  missing,
  mqttTransport,
  numbered,
  quietLogger,
  restartMosquitto,
  spec,
} from './mqtt-helpers';

// One file for everything that restarts Mosquitto: a broker client leaked by another test file of the same
// Jest worker would otherwise reconnect from a torn-down environment after the restart.
describeWithBroker('mqtt', 'mqtt transport conformance', () => {
  describeConformance({
    name: 'mqtt',
    url: () => brokerUrl('mqtt'),
    // Durable groups are persistent sessions: let the ones the suite creates expire soon.
    options: { groupExpiryMs: 600_000 },
    restartBroker: () => restartMosquitto(),
    deliveryTimeoutMs: 10_000,
  });

  describe('zero loss across a Mosquitto restart (transport SPI)', () => {
    let transport: StreamingTransport;
    let logger: ReturnType<typeof quietLogger>;
    beforeAll(() => ensureMosquitto());
    beforeEach(async () => {
      logger = quietLogger();
      transport = mqttTransport({ produceTimeoutMs: 60_000, logger });
      await transport.connect();
    });
    afterEach(async () => {
      await transport.close();
      await ensureMosquitto();
    });

    it('loses no QoS 1 message: every published sequence arrives at least once, without gaps', async () => {
      const dataset = uniqueName('mqtt-restart');
      const sub = await transport.subscribe(spec(dataset, { group: uniqueName('g'), prefetch: 20 }));
      const total = 400;
      const received: IncomingRecord[] = [];
      let consuming = true;
      const consumer = (async () => {
        while (consuming) {
          const batch = await sub.fetch(20, 100);
          received.push(...batch);
          await sub.ack(batch);
        }
      })();
      let produced = 0;
      const producer = (async () => {
        for (const record of numbered(total)) {
          await transport.produce(dataset, [record]); // resolves on PUBACK, waits out the outage
          produced++;
        }
      })();
      try {
        while (produced < 100) await new Promise((r) => setTimeout(r, 10));
        await restartMosquitto();
        await producer;
        const deadline = Date.now() + 30_000;
        while (missing(received, total).length > 0 && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 50));
        const gaps = missing(received, total);
        if (gaps.length)
          console.error(
            `lost ${gaps.length} of ${total}: ${gaps.slice(0, 20).join(',')}; received ${received.length}; warnings: ${logger.warnings.join(' | ')}`,
          );
        expect(gaps).toEqual([]);
      } finally {
        consuming = false;
        await consumer.catch(() => undefined);
        await sub.close();
      }
    });
  });
});
