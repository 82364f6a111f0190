import type { ConfirmChannel, Options } from 'amqplib';
import { redactText, sleep, TemporaryError } from '@databus/common';
import { AmqpChannelSlot, publishRetryDelay } from '@databus/common/amqp';
import { AmqpConnection } from './amqp-connection';
import { mapChannelError } from './amqp-error.mapper';

/** One message to publish (to the default exchange unless `exchange` is given). */
export interface Publication {
  /** A fanout exchange to publish to (a dataset kept as an exchange). @default '' (the default exchange) */
  exchange?: string;
  /** Queue name (the default exchange routes by queue name). */
  routingKey: string;
  content: Buffer;
  /** Publish options; with `mandatory` and a `messageId`, a message no queue takes counts as not confirmed. */
  options: Options.Publish;
}

/**
 * Publishes with publisher confirms on one shared confirm channel. `publish` resolves when the broker has
 * confirmed every message; while the connection is down it waits (up to `timeoutMs` in all) and re-sends
 * the messages that were not confirmed, so a produce either lands or fails with `TemporaryError`.
 */
/** Per-channel fan-out of 'close' and 'return', so concurrent sends do not each add channel listeners. */
interface ChannelHub {
  onClose: Set<() => void>;
  onReturn: Set<(message: ReturnedMessage) => void>;
}

interface ReturnedMessage {
  fields: { routingKey: string };
  properties: { messageId?: unknown };
}

const hubs = new WeakMap<ConfirmChannel, ChannelHub>();

function hubOf(channel: ConfirmChannel): ChannelHub {
  let hub = hubs.get(channel);
  if (!hub) {
    const created: ChannelHub = { onClose: new Set(), onReturn: new Set() };
    channel.on('close', () => created.onClose.forEach((listener) => listener()));
    channel.on('return', (message: ReturnedMessage) =>
      created.onReturn.forEach((listener) => listener(message)),
    );
    // Concurrent produces that hit a full socket buffer each wait for 'drain': that is bounded by the
    // callers, not a leak.
    channel.setMaxListeners(0);
    hubs.set(channel, (hub = created));
  }
  return hub;
}

export class AmqpPublisher {
  private readonly slot = new AmqpChannelSlot((model) => model.createConfirmChannel());

  /** `onReturned(routingKey)`: a mandatory message was returned (no queue of that name): forget declarations. */
  constructor(
    private readonly connection: AmqpConnection,
    private readonly onReturned: (routingKey: string) => void = () => undefined,
  ) {}

  async publish(
    publications: readonly Publication[],
    timeoutMs: number,
    prepare?: (remainingMs: number) => Promise<void>,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let pending = [...publications];
    let lastError: unknown;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      try {
        await prepare?.(remaining);
        const channel = await this.confirmChannel(remaining);
        const outcome = await this.send(channel, pending, deadline);
        pending = outcome.unconfirmed;
        if (pending.length === 0) return;
        lastError = outcome.error;
      } catch (error) {
        lastError = error;
      }
      const mapped = mapChannelError(lastError, 'Publishing');
      if (!mapped.retriable) throw mapped;
      this.slot.reset();
      await sleep(publishRetryDelay(attempt, deadline - Date.now()));
    }
    throw new TemporaryError(
      `${pending.length} message(s) were not confirmed by the broker within ${timeoutMs} ms${lastError ? ` (${redactText((lastError as Error).message)})` : ''}.`,
      lastError ? { cause: lastError } : undefined,
    );
  }

  async close(): Promise<void> {
    await this.slot.close();
  }

  /** Publishes `pending`; returns those not confirmed (nacked, lost with the channel, or late) and why. */
  private async send(
    channel: ConfirmChannel,
    pending: readonly Publication[],
    deadline: number,
  ): Promise<{ unconfirmed: Publication[]; error?: unknown }> {
    const confirmed = new Set<Publication>();
    let error: unknown;
    const confirms: Array<Promise<void>> = [];
    let closed = false;
    const onClose = (): void => {
      closed = true;
    };
    // RabbitMQ sends basic.return before the confirm of a mandatory message that no queue took.
    const returned = new Set<unknown>();
    const onReturn = (message: ReturnedMessage): void => {
      returned.add(message.properties.messageId);
      this.onReturned(message.fields.routingKey);
    };
    const hub = hubOf(channel);
    hub.onClose.add(onClose);
    hub.onReturn.add(onReturn);
    try {
      for (const publication of pending) {
        if (closed) break;
        let done!: () => void;
        confirms.push(new Promise<void>((resolve) => (done = resolve)));
        const written = channel.publish(
          publication.exchange ?? '',
          publication.routingKey,
          publication.content,
          publication.options,
          (e: unknown) => {
            if (e) error ??= e;
            else if (
              publication.options.messageId !== undefined &&
              returned.has(publication.options.messageId)
            )
              error ??= new TemporaryError(`no queue named "${publication.routingKey}" took the message`);
            else confirmed.add(publication);
            done();
          },
        );
        if (!written && !(await drained(channel, deadline))) break;
      }
      if (await waitAll(confirms, deadline))
        error ??= new TemporaryError('publisher confirms did not arrive in time');
    } catch (e) {
      error ??= e;
    } finally {
      hub.onClose.delete(onClose);
      hub.onReturn.delete(onReturn);
    }
    const unconfirmed = pending.filter((p) => !confirmed.has(p));
    if (unconfirmed.length > 0 && error === undefined)
      error = new TemporaryError('the channel closed before confirming');
    return { unconfirmed, error };
  }

  private async confirmChannel(timeoutMs: number): Promise<ConfirmChannel> {
    return this.slot.get(await this.connection.ready(timeoutMs));
  }
}

/** Resolves true on the channel's 'drain', false when it closes or `deadline` passes first. */
function drained(channel: ConfirmChannel, deadline: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const finish = (ok: boolean): void => {
      clearTimeout(timer);
      channel.removeListener('drain', onDrain);
      channel.removeListener('close', onClose);
      resolve(ok);
    };
    const onDrain = (): void => finish(true);
    const onClose = (): void => finish(false);
    const timer = setTimeout(() => finish(false), Math.max(deadline - Date.now(), 0));
    timer.unref();
    channel.on('drain', onDrain);
    channel.on('close', onClose);
  });
}

/** Waits for every promise (the list may grow while waiting); true when `deadline` passed first. */
async function waitAll(promises: Array<Promise<void>>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(true), Math.max(deadline - Date.now(), 0));
    timer.unref();
  });
  try {
    for (let i = 0; i < promises.length; i++) {
      if (await Promise.race([promises[i].then(() => false), expired])) return true;
    }
    return false;
  } finally {
    clearTimeout(timer);
  }
}
