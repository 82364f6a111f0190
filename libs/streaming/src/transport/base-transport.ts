import { SubscriptionClosedError } from '../errors';
import { TransportCapabilities } from './transport-capabilities';
import { StatusEmitter, TransportStatus, TransportStatusListener } from './transport-status';
import type { StreamingTransport, TransportContext, TransportName } from './transport.interface';

/** What a transport closes when it closes: its subscriptions (or any other part it tracks). */
export interface Closable {
  close(): Promise<void>;
}

/**
 * The lifecycle every built-in transport shares, written once: the status (a `StatusEmitter` behind `status`
 * and `onStatus`), the set of subscriptions it tracks, the guard that refuses work once `close()` was called
 * (`SubscriptionClosedError` naming the operation and the transport), and `close()` itself, which runs the
 * transport's `shutdown()` once (a second call returns the same promise) and then reports `closed`.
 * A transport extends it, `implements StreamingTransport`, hands its `name`, its `capabilities` and the
 * runtime's `TransportContext` to this constructor, and states what its connect, produce, subscribe, request,
 * reply and `shutdown` do.
 */
export abstract class BaseTransport<
  S extends Closable = Closable,
  N extends TransportName = TransportName,
> implements Pick<StreamingTransport, 'status' | 'onStatus' | 'close'> {
  protected readonly statusEmitter = new StatusEmitter();
  /** The open subscriptions; each removes itself when it closes. */
  protected readonly subscriptions = new Set<S>();
  private shutdownDone?: Promise<void>;
  private isClosed = false;

  /**
   * @param name the transport's name (its URL scheme)
   * @param capabilities what it can do (`defineCapabilities`)
   * @param context what the runtime hands the transport: URL, credentials, TLS, logger, timeouts, its options
   */
  protected constructor(
    readonly name: N,
    readonly capabilities: TransportCapabilities,
    protected readonly context: TransportContext,
  ) {}

  get status(): TransportStatus {
    return this.statusEmitter.status;
  }

  onStatus(listener: TransportStatusListener): () => void {
    return this.statusEmitter.on(listener);
  }

  /** Closes every subscription and connection (see `shutdown`); leaves no timer or socket behind. Idempotent. */
  close(): Promise<void> {
    if (!this.shutdownDone) {
      this.isClosed = true;
      this.shutdownDone = this.shutdown().then(() => this.statusEmitter.set({ type: 'closed' }));
    }
    return this.shutdownDone;
  }

  /** Releases what the transport holds, once, on the first `close()`; `closeSubscriptions()` ends the subscriptions. */
  protected abstract shutdown(): Promise<void>;

  /** True from the first `close()` until a `reopen()`. */
  protected get closed(): boolean {
    return this.isClosed;
  }

  /** Closes every tracked subscription; one that fails to close does not keep the others open. */
  protected async closeSubscriptions(): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()));
  }

  /** For transports that may `connect()` again after `close()`: forgets the close. */
  protected reopen(): void {
    this.isClosed = false;
    this.shutdownDone = undefined;
  }

  /** Refuses `operation` once the transport is closed. */
  protected assertOpen(operation: string): void {
    if (this.isClosed) throw new SubscriptionClosedError(operation, `${this.name} transport`);
  }
}
