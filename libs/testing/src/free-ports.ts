import { readFileSync } from 'node:fs';
import { createServer, Server } from 'node:net';

/** Lowest port `freePorts` hands out: above the loopback services of the machine (RabbitMQ's 25672 and below). */
const FLOOR = 26_000;

/**
 * The range `freePorts` picks from: from {@link FLOOR} up to just below the kernel's ephemeral range
 * (`ip_local_port_range`, `32768 60999` by default), so that no outgoing connection can be given a port that was
 * picked for a node which has not bound it yet. `rangeText` is the content of that file; `undefined` when it
 * leaves too little room below it.
 */
export function portsBelowEphemeral(rangeText: string | undefined): { from: number; to: number } | undefined {
  const low = Number((rangeText ?? '32768').trim().split(/\s+/)[0]);
  if (!Number.isInteger(low) || low - 1 - FLOOR < 1000) return undefined;
  return { from: FLOOR, to: low - 1 };
}

function ephemeralRangeText(): string | undefined {
  try {
    return readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
  } catch {
    return undefined;
  }
}

function listenOn(port: number): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/**
 * `count` distinct free loopback TCP ports, held open together while they are picked, then released.
 *
 * They come from below the kernel's ephemeral range (see {@link portsBelowEphemeral}): a port the kernel gave out
 * with `listen(0)` is an ephemeral one, and between its release and the node binding it (seconds, for a JVM),
 * any outgoing connection (the nodes dialling each other's controller ports in a retry loop) may be given it, and
 * the node then fails to start with "address already in use". Where the range cannot be read or leaves no room,
 * the kernel picks (`listen(0)`).
 */
export async function freePorts(count: number): Promise<number[]> {
  const range = portsBelowEphemeral(ephemeralRangeText());
  const held: Server[] = [];
  try {
    for (let tries = 0; held.length < count; tries++) {
      if (tries > count * 50) throw new Error(`freePorts: no ${count} free loopback ports found`);
      const port = range ? range.from + Math.floor(Math.random() * (range.to - range.from + 1)) : 0;
      const server = await listenOn(port);
      if (server) held.push(server);
    }
    return held.map((s) => (s.address() as { port: number }).port);
  } finally {
    await Promise.all(held.map((s) => new Promise((r) => s.close(r))));
  }
}
