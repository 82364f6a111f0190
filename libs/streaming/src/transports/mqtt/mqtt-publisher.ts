import { BackoffOptions, retry, TemporaryError } from '@databus/common';
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { MqttConnection } from './mqtt-connection';
import { mapMqttError } from './mqtt-error.mapper';
import { InflightWindow } from './mqtt-inflight-window';

/** mqtt.js's own error texts for a publish refused while its client is (re)connecting on purpose. */
const TRANSIENT_CLIENT_ERROR = /client disconnecting|Connection closed|Message removed/;

/**
 * QoS 1 publishing with a bounded in-flight window: each publish resolves on its PUBACK; during an outage it
 * waits for the connection until `deadline`, then rejects with `TemporaryError` (and withdraws the message
 * from mqtt.js's outgoing store, so it is not sent later behind the caller's back).
 */
export class MqttPublisher {
  readonly window: InflightWindow;
  /** Callbacks of publishes awaiting their PUBACK on the current connection. */
  private readonly awaiting = new Set<(error?: Error) => void>();

  constructor(
    private readonly connection: MqttConnection,
    maxInflight: number,
    private readonly reconnect: BackoffOptions,
    private readonly hold: () => Promise<void> = () => Promise.resolve(),
  ) {
    this.window = new InflightWindow(maxInflight);
  }

  /**
   * Publishes one message; resolves when the broker has acknowledged it. mqtt.js refusing the publish while
   * it reconnects on purpose, or a connection not ready yet, is retried (the shared `retry` policy, paced by
   * `reconnect`) until `deadline`; anything else fails at once.
   */
  async publish(
    topic: string,
    payload: Buffer,
    options: IClientPublishOptions,
    deadline: number,
  ): Promise<void> {
    const where = `publish to "${topic}" (${this.connection.where})`;
    const transient = new WeakSet<object>();
    await retry(
      async () => {
        // Wait outside the window: a planned reconnect waits for the window to drain.
        try {
          await this.connection.whenConnected(Math.max(1, deadline - Date.now()));
          await this.hold();
          await this.window.acquire(deadline);
        } catch (error) {
          throw mapMqttError(error, where);
        }
        try {
          if (!this.connection.ready) {
            const notReady = new TemporaryError(`${where}: the connection is not ready yet`);
            transient.add(notReady);
            throw notReady;
          }
          return await this.publishOnce(this.connection.client, topic, payload, options, deadline);
        } catch (error) {
          if (transient.has(error as object)) throw error;
          const mapped = mapMqttError(error, where);
          if (TRANSIENT_CLIENT_ERROR.test(String((error as Error)?.message))) transient.add(mapped);
          throw mapped;
        } finally {
          this.window.release();
        }
      },
      { attempts: Number.POSITIVE_INFINITY, backoff: this.reconnect },
      {
        classify: (error) =>
          transient.has(error as object) && Date.now() < deadline ? 'transient' : 'permanent',
      },
    );
  }

  /**
   * The connection dropped: take every publish awaiting its PUBACK out of mqtt.js's store, so that mqtt.js
   * does not resend it the moment it reconnects. Each is published again by `publish()` once the connection
   * and the hold (our own subscriptions re-established) allow: a duplicate at worst, never a message sent
   * into a broker that has not yet restored its subscriptions.
   */
  withdrawAll(): void {
    if (!this.connection.hasClient) return;
    const client = this.connection.client;
    for (const callback of [...this.awaiting]) withdraw(client, callback);
  }

  private publishOnce(
    client: MqttClient,
    topic: string,
    payload: Buffer,
    options: IClientPublishOptions,
    deadline: number,
  ): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const callback = (error?: Error): void => {
        this.awaiting.delete(callback);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => {
          withdraw(client, callback);
          reject(new TemporaryError(`No PUBACK for a publish to "${topic}" in time (broker unavailable?).`));
        },
        Math.max(1, deadline - Date.now()),
      );
      timer.unref();
      this.awaiting.add(callback);
      client.publish(topic, payload, options, callback);
    });
  }
}

/** Removes a message still waiting for its PUBACK from mqtt.js's outgoing store. */
function withdraw(client: MqttClient, callback: (error?: Error) => void): void {
  const outgoing = (client as unknown as { outgoing?: Record<string, { cb?: unknown }> }).outgoing ?? {};
  for (const [id, entry] of Object.entries(outgoing))
    if (entry.cb === callback) {
      // removeOutgoingMessage calls the callback with an error; the promise is settled already.
      client.removeOutgoingMessage(Number(id));
      return;
    }
}
