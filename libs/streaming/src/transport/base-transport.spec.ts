import { SubscriptionClosedError } from '../errors';
import { BaseTransport, Closable } from './base-transport';
import { defineCapabilities } from './transport-capabilities';
import { TransportStatus } from './transport-status';
import type { TransportContext } from './transport.interface';

/** A transport with nothing but the shared lifecycle; `shutdown` counts its calls. */
class LifecycleTransport extends BaseTransport {
  shutdowns = 0;

  constructor() {
    super('memory', defineCapabilities(), {} as TransportContext);
  }

  track(sub: Closable): void {
    this.subscriptions.add(sub);
  }

  work(): void {
    this.assertOpen('produce');
  }

  connectAgain(): void {
    this.reopen();
  }

  protected async shutdown(): Promise<void> {
    this.shutdowns++;
    await this.closeSubscriptions();
  }
}

describe('BaseTransport', () => {
  it('runs shutdown once however often close() is called, and reports closed after it', async () => {
    const transport = new LifecycleTransport();
    const seen: TransportStatus[] = [];
    transport.onStatus((s) => seen.push(s));
    const first = transport.close();
    const second = transport.close();
    expect(second).toBe(first);
    await first;
    await transport.close();
    expect(transport.shutdowns).toBe(1);
    expect(transport.status).toEqual({ type: 'closed' });
    expect(seen).toEqual([{ type: 'closed' }]);
  });

  it('closes every subscription even when one of them fails to close', async () => {
    const transport = new LifecycleTransport();
    const closed: string[] = [];
    transport.track({ close: () => Promise.reject(new Error('socket gone')) });
    transport.track({ close: async () => void closed.push('second') });
    await transport.close();
    expect(closed).toEqual(['second']);
    expect(transport.status.type).toBe('closed');
  });

  it('refuses work after close() with SubscriptionClosedError naming the operation and the transport', async () => {
    const transport = new LifecycleTransport();
    transport.work();
    void transport.close();
    let error: unknown;
    try {
      transport.work();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SubscriptionClosedError);
    expect((error as Error).message).toBe('Cannot produce: the memory transport is closed.');
  });

  it('accepts work again after reopen(), and a later close() shuts down again', async () => {
    const transport = new LifecycleTransport();
    await transport.close();
    transport.connectAgain();
    expect(() => transport.work()).not.toThrow();
    await transport.close();
    expect(transport.shutdowns).toBe(2);
  });
});
