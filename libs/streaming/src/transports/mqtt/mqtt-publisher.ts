import { TemporaryError } from '@databus/common';
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { MqttConnection } from './mqtt-connection';
import { mapMqttError } from './mqtt-error.mapper';
import { InflightWindow } from './mqtt-inflight-window';

/** mqtt.js's own error texts for a publish refused while its client is (re)connecting on purpose. */
const TRANSIENT_CLIENT_ERROR = /client disconnecting|Connection closed/;

/**
 * QoS 1 publishing with a bounded in-flight window: each publish resolves on its PUBACK; during an outage it
 * waits for the connection until `deadline`, then rejects with `TemporaryError` (and withdraws the message
 * from mqtt.js's outgoing store, so it is not sent later behind the caller's back).
 */
export class MqttPublisher {
  readonly window: InflightWindow;

  constructor(
    private readonly connection: MqttConnection,
    maxInflight: number,
  ) {
    this.window = new InflightWindow(maxInflight);
  }

  /** Publishes one message; resolves when the broker has acknowledged it. */
  async publish(
    topic: string,
    payload: Buffer,
    options: IClientPublishOptions,
    deadline: number,
  ): Promise<void> {
    await this.window.acquire(deadline);
    try {
      for (;;) {
        await this.connection.whenConnected(Math.max(1, deadline - Date.now()));
        try {
          return await this.publishOnce(this.connection.client, topic, payload, options, deadline);
        } catch (error) {
          const text = String((error as Error)?.message);
          if (!TRANSIENT_CLIENT_ERROR.test(text) || Date.now() >= deadline) throw error;
        }
      }
    } catch (error) {
      throw mapMqttError(error, `publish to "${topic}" (${this.connection.where})`);
    } finally {
      this.window.release();
    }
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
