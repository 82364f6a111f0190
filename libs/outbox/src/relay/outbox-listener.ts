import { backoffDelay, redactText, ResolvedBackoff, sleep } from '@databus/common';
import { errorMessage } from '@databus/common/internal';
import type { LoggerService } from '@nestjs/common';
import type { OutboxPool, OutboxPoolClient } from '../sql/outbox-pool';
import { OUTBOX_NOTIFY_CHANNEL } from '../outbox.constants';

/**
 * Holds one pool connection on `LISTEN databus_outbox` and calls `onCommit` for every notification of its
 * schema (the trigger notifies when a transaction that inserted rows commits). A lost connection is
 * re-established with backoff; meanwhile the relay's polling carries on.
 */
export class OutboxListener {
  private readonly abort = new AbortController();
  private client?: OutboxPoolClient;
  private running?: Promise<void>;

  constructor(
    private readonly pool: OutboxPool,
    private readonly schema: string,
    private readonly onCommit: () => void,
    private readonly backoff: ResolvedBackoff,
    private readonly logger?: LoggerService,
  ) {}

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('outbox listener stopped'));
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.query(`UNLISTEN ${OUTBOX_NOTIFY_CHANNEL}`).catch(() => undefined);
      client.release();
    }
    await this.running;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    for (let failures = 0; !signal.aborted;) {
      try {
        await this.listenUntilLost(signal);
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        failures += 1;
        this.logger?.warn?.(`Outbox LISTEN connection failed: ${redactText(errorMessage(error))}`);
      }
      if (signal.aborted) return;
      // Whatever committed while the connection was down: the relay looks now.
      this.onCommit();
      await sleep(backoffDelay(Math.max(1, failures), this.backoff), signal).catch(() => undefined);
    }
  }

  /** Resolves or rejects when the connection ends. */
  private async listenUntilLost(signal: AbortSignal): Promise<void> {
    const client = await this.pool.connect();
    if (signal.aborted) {
      client.release();
      return;
    }
    this.client = client;
    const lost = new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      client.on('end', () => resolve());
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    client.on('notification', (message: { channel: string; payload?: string }) => {
      if (message.channel === OUTBOX_NOTIFY_CHANNEL && (message.payload ?? '') === this.schema)
        this.onCommit();
    });
    await client.query(`LISTEN ${OUTBOX_NOTIFY_CHANNEL}`);
    try {
      await lost;
    } catch (error) {
      this.client = undefined;
      client.release(error as Error);
      throw error;
    }
    if (!signal.aborted) {
      this.client = undefined;
      client.release(new Error('LISTEN connection ended'));
    }
  }
}
