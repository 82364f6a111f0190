// TLS against the plain MQTT port of the loopback Mosquitto (mqtts:// to 1883): a permanent fault at
// bootstrap (Mosquitto resets the ClientHello), failed at once (no retries within connectTimeoutMs) with a
// ConfigurationError naming url and the cause, worded as the AMQP transport words amqps:// to 5672 (tlsAgainstPlainPortError in common).
import { Test } from '@nestjs/testing';
import { brokerUrl, CapturingLogger, describeWithBroker } from '@databus/testing';
import { ConfigurationError, StreamingModule } from '@databus/streaming';

describeWithBroker('mqtt', 'mqtts:// against the plain Mosquitto port', () => {
  const plain = new URL(brokerUrl('mqtt'));
  const address = `mqtts://${plain.hostname}:${plain.port || 1883}`;

  it.each([
    ['with verification (system CAs)', undefined],
    ['with insecure: true', { insecure: true }],
  ])(
    'fails the bootstrap at once %s: ConfigurationError naming url and the cause, no retry',
    async (_case, tls) => {
      const logger = new CapturingLogger();
      const ref = await Test.createTestingModule({
        imports: [
          StreamingModule.forRoot({
            url: address,
            ...(tls ? { tls } : {}),
            // A retried fault would run into the test's timeout long before this budget ends.
            connectTimeoutMs: 120_000,
            reconnect: { initialMs: 100, maxMs: 200 },
          }),
        ],
      }).compile();
      ref.useLogger(logger);
      const error = await ref.init().then(
        () => undefined,
        (e: unknown) => e,
      );
      await ref.close().catch(() => undefined);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ option: 'url' });
      expect((error as Error).message).toBe(
        `Invalid option "url": expected an mqtts:// address of a TLS listener (Mosquitto: port 8883), received ${address}, where the server does not speak TLS (the connection was reset during the TLS handshake).`,
      );
      expect(logger.at('warn').filter((line) => /failed \(attempt \d+\)/.test(String(line)))).toEqual([]);
    },
  );
});
