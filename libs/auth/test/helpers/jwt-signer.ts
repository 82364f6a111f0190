import { Worker } from 'node:worker_threads';

/**
 * Signs and verifies test JWTs with `jose`. jose 6 is ESM-only and Jest runs tests as CommonJS, so jose runs
 * in a worker thread that loads it with a native `import()`.
 */
export class JwtSigner {
  private next = 0;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: { id: number; result?: unknown; error?: string }) => {
      const entry = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) entry?.reject(new Error(m.error));
      else entry?.resolve(m.result);
    });
    worker.unref();
  }

  /** Starts the worker; `secret` is the HS256 key. */
  static start(secret = 'databus-test-signing-key-0123456789abcdef'): JwtSigner {
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const key = new TextEncoder().encode(workerData.secret);
      const ready = import('jose');
      parentPort.on('message', async ({ id, op, claims, ttl, token }) => {
        try {
          const { SignJWT, jwtVerify } = await ready;
          if (op === 'sign') {
            const now = Math.floor(Date.now() / 1000);
            const jwt = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' })
              .setIssuedAt(now).setExpirationTime(now + ttl).setJti(Math.random().toString(36).slice(2)).sign(key);
            parentPort.postMessage({ id, result: jwt });
          } else {
            const { payload } = await jwtVerify(token, key);
            parentPort.postMessage({ id, result: payload });
          }
        } catch (e) { parentPort.postMessage({ id, error: String(e && e.message) }); }
      });`;
    return new JwtSigner(new Worker(source, { eval: true, workerData: { secret } }));
  }

  /** A signed HS256 JWT with `iat`, `exp = now + ttlSeconds` and a random `jti`. */
  sign(claims: Record<string, unknown>, ttlSeconds: number): Promise<string> {
    return this.call({ op: 'sign', claims, ttl: ttlSeconds }) as Promise<string>;
  }

  /** The verified payload; rejects on a bad signature or an expired token. */
  verify(token: string): Promise<Record<string, unknown>> {
    return this.call({ op: 'verify', token }) as Promise<Record<string, unknown>>;
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private call(message: Record<string, unknown>): Promise<unknown> {
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }
}
