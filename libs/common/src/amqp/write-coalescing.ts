import type { ChannelModel } from 'amqplib';

/** The parts of amqplib's connection internals this relies on (checked at run time, never assumed). */
interface MuxLike {
  out?: { cork?: () => void; uncork?: () => void };
  _readIncoming?: () => void;
}

const COALESCED = Symbol('databus.amqp.coalescedWrites');

/**
 * Makes the connection write its frames in one socket write per flush instead of one per frame.
 *
 * amqplib queues every frame (a publish, an ack) on its channel's buffer and a multiplexer (`muxer`) later
 * copies them to the socket, one `socket.write()` per frame: one `write` system call per message on loopback,
 * half of a producer's CPU. This corks the socket around each pass of the multiplexer, so the frames of one
 * pass leave as one `writev` (up to the socket's high-water mark, 16 KiB: about 45 small messages; the pass
 * after the `drain` is corked the same way). Nothing waits: the socket is uncorked before the pass returns,
 * so no frame is delayed, reordered or dropped, and backpressure is amqplib's own.
 *
 * amqplib's multiplexer is not public API: when the connection does not have the expected shape (another
 * amqplib version), this does nothing and frames are written as before. Idempotent.
 * @returns whether the writes of `model` are now coalesced
 */
export function coalesceAmqpWrites(model: ChannelModel): boolean {
  const connection = (model as unknown as { connection?: { muxer?: MuxLike } }).connection;
  const mux = connection?.muxer;
  if (!mux || (mux as Record<symbol, unknown>)[COALESCED]) return !!mux;
  const out = mux.out;
  const pass = mux._readIncoming;
  if (typeof pass !== 'function' || typeof out?.cork !== 'function' || typeof out.uncork !== 'function')
    return false;
  const cork = out.cork.bind(out);
  const uncork = out.uncork.bind(out);
  mux._readIncoming = function coalescedPass(this: MuxLike): void {
    cork();
    try {
      pass.call(this);
    } finally {
      uncork();
    }
  };
  (mux as Record<symbol, unknown>)[COALESCED] = true;
  return true;
}
