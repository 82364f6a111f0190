import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { ChannelModel } from 'amqplib';
import { coalesceAmqpWrites } from './write-coalescing';

/** A stand-in for amqplib's multiplexer: each pass writes the queued frames to the socket. */
function fakeModel(frames: string[][]) {
  const log: string[] = [];
  const out = {
    cork: () => log.push('cork'),
    uncork: () => log.push('uncork'),
    write: (frame: string) => (log.push(frame), true),
  };
  class Mux {
    out = out;
    _readIncoming(): void {
      for (const frame of frames.shift() ?? []) this.out.write(frame);
    }
  }
  const mux = new Mux();
  return { model: { connection: { muxer: mux } } as unknown as ChannelModel, mux, log };
}

describe('coalesceAmqpWrites', () => {
  it('corks the socket around each pass of the multiplexer, frames in order', () => {
    const { model, mux, log } = fakeModel([['a', 'b'], ['c']]);
    expect(coalesceAmqpWrites(model)).toBe(true);
    mux._readIncoming();
    mux._readIncoming();
    expect(log).toEqual(['cork', 'a', 'b', 'uncork', 'cork', 'c', 'uncork']);
  });

  it('uncorks when a pass throws', () => {
    const { model, mux, log } = fakeModel([]);
    mux.out.write = () => {
      throw new Error('boom');
    };
    mux._readIncoming = function () {
      this.out.write('x');
    };
    coalesceAmqpWrites(model);
    expect(() => mux._readIncoming()).toThrow('boom');
    expect(log).toEqual(['cork', 'uncork']);
  });

  it('is idempotent', () => {
    const { model, mux, log } = fakeModel([['a']]);
    coalesceAmqpWrites(model);
    expect(coalesceAmqpWrites(model)).toBe(true);
    mux._readIncoming();
    expect(log).toEqual(['cork', 'a', 'uncork']);
  });

  it("applies to the installed amqplib's own multiplexer (an upgrade that changes its shape fails here)", () => {
    // amqplib does not export its multiplexer: load the installed file next to its entry point.
    const muxFile = join(dirname(require.resolve('amqplib')), 'lib', 'mux.js');
    const { Mux } = require(muxFile) as { Mux: new (out: PassThrough) => { _readIncoming(): void } };
    const out = new PassThrough();
    const calls: string[] = [];
    out.cork = () => void calls.push('cork');
    out.uncork = () => void calls.push('uncork');
    const muxer = new Mux(out);
    expect(coalesceAmqpWrites({ connection: { muxer } } as unknown as ChannelModel)).toBe(true);
    muxer._readIncoming();
    expect(calls).toEqual(['cork', 'uncork']);
  });

  it('leaves a connection of another shape alone', () => {
    expect(coalesceAmqpWrites({} as ChannelModel)).toBe(false);
    expect(coalesceAmqpWrites({ connection: { muxer: { out: {} } } } as unknown as ChannelModel)).toBe(false);
  });
});
