import { BackoffOptions, retry, TemporaryError } from '@databus/common';
import { DeadlineEntry, DeadlineQueue } from '@databus/common/internal';
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import type { ProduceResult } from '../../transport/transport-record.interface';
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
  /** Mapped failures worth another attempt (mqtt.js reconnecting on purpose, connection not ready yet). */
  private readonly transient = new WeakSet<object>();
  /** PUBACK deadlines in the order they were added: one timer for all of them. */
  private readonly deadlines = new DeadlineQueue();
  private lastDeadline = 0;
  /**
   * Publishes of the retry path between the start of their wait and their PUBLISH: while any is, a new
   * publish takes the retry path too (behind them), so records leave in call order.
   */
  private queued = 0;

  /**
   * @param hold after a reconnect, the wait for this instance's own subscriptions to be back (`undefined`
   *   while there is none)
   */
  constructor(
    private readonly connection: MqttConnection,
    maxInflight: number,
    private readonly reconnect: BackoffOptions,
    private readonly hold: () => Promise<void> | undefined = () => undefined,
  ) {
    this.window = new InflightWindow(maxInflight);
  }

  /** Publishes one message; resolves when the broker has acknowledged it (see `send`). */
  publish(
    topic: string,
    payload: Buffer | string,
    options: IClientPublishOptions,
    deadline: number,
  ): Promise<ProduceResult> {
    return new Promise<ProduceResult>((resolve, reject) =>
      this.send(topic, payload, options, deadline, resolve, reject),
    );
  }

  /**
   * Publishes one message and calls `resolve` once the broker has acknowledged it, or `reject` (exactly one of
   * them, once). Connected and with no hold, the PUBLISH is written the moment a window slot is free (at
   * once, or from the release that frees one), with no retry loop and no promise around it: the PUBACK settles
   * the caller directly. mqtt.js refusing the publish while it reconnects on purpose, or a connection not
   * ready yet, is retried (the shared `retry` policy, paced by `reconnect`) until `deadline`; anything else
   * fails at once.
   */
  send(
    topic: string,
    payload: Buffer | string,
    options: IClientPublishOptions,
    deadline: number,
    resolve: (result: ProduceResult) => void,
    reject: (error: unknown) => void,
  ): void {
    if (this.queued > 0 || !this.connection.ready || this.hold() !== undefined) {
      this.publishRetrying(topic, payload, options, deadline).then(resolve, reject);
      return;
    }
    // A free slot: straight to the attempt, without the two callbacks a wait for one needs.
    if (this.window.tryAcquire())
      return this.publishInWindow(topic, payload, options, deadline, resolve, reject);
    this.window.wait(
      deadline,
      () => this.publishInWindow(topic, payload, options, deadline, resolve, reject),
      (error) => reject(mapMqttError(error, this.where(topic))),
    );
  }

  /** One attempt with a window slot held; a failure hands over to the retry loop, from its verdict. */
  private publishInWindow(
    topic: string,
    payload: Buffer | string,
    options: IClientPublishOptions,
    deadline: number,
    resolve: (result: ProduceResult) => void,
    reject: (error: unknown) => void,
  ): void {
    // A slot waited for: the connection may have dropped (or come back with a hold) since it was asked for.
    if (!this.connection.ready || this.hold() !== undefined) {
      this.window.release();
      this.publishRetrying(topic, payload, options, deadline).then(resolve, reject);
      return;
    }
    this.publishOnce(this.connection.client, topic, payload, options, deadline, (error) => {
      this.window.release();
      if (error === undefined) resolve({});
      else
        this.publishRetrying(topic, payload, options, deadline, this.mapFailure(error, topic)).then(
          resolve,
          reject,
        );
    });
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

  /** The retry loop around attempts; `firstFailure` is the outcome of an attempt already made. */
  private publishRetrying(
    topic: string,
    payload: Buffer | string,
    options: IClientPublishOptions,
    deadline: number,
    firstFailure?: unknown,
  ): Promise<ProduceResult> {
    return retry(
      async () => {
        // Wait outside the window: a planned reconnect waits for the window to drain.
        this.queued++;
        try {
          await this.connection.whenConnected(Math.max(1, deadline - Date.now()));
          await this.hold();
          await this.window.acquire(deadline);
        } catch (error) {
          this.queued--;
          throw mapMqttError(error, this.where(topic));
        }
        this.queued--;
        try {
          if (!this.connection.ready) {
            const notReady = new TemporaryError(`${this.where(topic)}: the connection is not ready yet`);
            this.transient.add(notReady);
            throw notReady;
          }
          const client = this.connection.client;
          return await new Promise<ProduceResult>((resolve, reject) =>
            this.publishOnce(client, topic, payload, options, deadline, (error) =>
              error === undefined ? resolve({}) : reject(error),
            ),
          );
        } catch (error) {
          throw this.mapFailure(error, topic);
        } finally {
          this.window.release();
        }
      },
      { attempts: Number.POSITIVE_INFINITY, backoff: this.reconnect },
      {
        firstFailure: firstFailure === undefined ? undefined : { error: firstFailure },
        classify: (error) =>
          this.transient.has(error as object) && Date.now() < deadline ? 'transient' : 'permanent',
      },
    );
  }

  /** A failed attempt, mapped; mqtt.js's refusals while it reconnects on purpose are marked transient. */
  private mapFailure(error: unknown, topic: string): unknown {
    if (this.transient.has(error as object)) return error;
    const mapped = mapMqttError(error, this.where(topic));
    if (TRANSIENT_CLIENT_ERROR.test(String((error as Error)?.message))) this.transient.add(mapped);
    return mapped;
  }

  private where(topic: string): string {
    return `publish to "${topic}" (${this.connection.where})`;
  }

  /**
   * Writes one PUBLISH; `done` is called once: with no error on its PUBACK, else with mqtt.js's error or a
   * `TemporaryError` when no PUBACK came by `deadline` (the message is then withdrawn from mqtt.js's store).
   */
  private publishOnce(
    client: MqttClient,
    topic: string,
    payload: Buffer | string,
    options: IClientPublishOptions,
    deadline: number,
    done: (error?: Error) => void,
  ): void {
    const awaited = new AwaitedPuback(this.awaiting, client, topic, deadline, done);
    // Deadlines in the order they come share the queue's one timer; an earlier one (a request's shorter
    // timeout) gets its own.
    if (deadline >= this.lastDeadline) {
      this.lastDeadline = deadline;
      this.deadlines.add(awaited);
    } else {
      awaited.timer = setTimeout(() => awaited.expire(), Math.max(1, deadline - Date.now()));
      awaited.timer.unref();
    }
    this.awaiting.add(awaited.callback);
    client.publish(topic, payload, options, awaited.callback);
  }
}

/**
 * One PUBLISH awaiting its PUBACK: its deadline entry and the callback mqtt.js calls, in one object (no
 * closures per publish but the bound callback). `done` is called once: with no error on the PUBACK, else with
 * mqtt.js's error or a `TemporaryError` when no PUBACK came by `deadline` (the message is then withdrawn from
 * mqtt.js's store).
 *
 * Once settled it lets go of everything it was given: the deadline queue keeps a settled entry until its head
 * passes it or it compacts (up to ~1024 publishes later), and `finish` closes over the message (topic, payload,
 * options, the caller's settling functions), which would otherwise live that long and be promoted to the old
 * generation with it.
 */
class AwaitedPuback implements DeadlineEntry {
  done = false;
  timer?: NodeJS.Timeout;
  readonly callback: (error?: Error) => void;
  private awaiting?: Set<(error?: Error) => void>;
  private client?: MqttClient;
  private topic?: string;
  private finish?: (error?: Error) => void;

  constructor(
    awaiting: Set<(error?: Error) => void>,
    client: MqttClient,
    topic: string,
    readonly deadline: number,
    finish: (error?: Error) => void,
  ) {
    this.awaiting = awaiting;
    this.client = client;
    this.topic = topic;
    this.finish = finish;
    this.callback = this.settle.bind(this);
  }

  expire(): void {
    if (this.done) return;
    const { client, topic } = this;
    const finish = this.release();
    withdraw(client!, this.callback);
    finish(new TemporaryError(`No PUBACK for a publish to "${topic}" in time (broker unavailable?).`));
  }

  private settle(error?: Error): void {
    // After an expiry, removeOutgoingMessage calls back with an error: the caller has its outcome already.
    if (this.done) return;
    if (this.timer) clearTimeout(this.timer);
    this.release()(error ?? undefined);
  }

  /** Marks the entry settled and drops what it holds; returns the callback to settle the caller with. */
  private release(): (error?: Error) => void {
    this.done = true;
    this.awaiting!.delete(this.callback);
    const finish = this.finish!;
    this.awaiting = this.client = this.topic = this.finish = undefined;
    return finish;
  }
}

/** Removes a message still waiting for its PUBACK from mqtt.js's outgoing store. */
function withdraw(client: MqttClient, callback: (error?: Error) => void): void {
  const outgoing = (client as unknown as { outgoing?: Record<string, { cb?: unknown }> }).outgoing ?? {};
  for (const [id, entry] of Object.entries(outgoing))
    if (entry.cb === callback) {
      // removeOutgoingMessage calls the callback with an error: its caller ignores it when settled already.
      client.removeOutgoingMessage(Number(id));
      return;
    }
}
