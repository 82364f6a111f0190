import { NoCommittedPositionError } from '../../errors';
import { Offset } from '../../offset/offset';
import { decodePosition, encodePosition, positionOf, streamOffsetArgument } from './amqp-positions';

describe('amqp stream positions', () => {
  it('maps offsets to positions', () => {
    expect(positionOf(Offset.BEGIN, 'ds')).toEqual({ kind: 'first' });
    expect(positionOf(Offset.LATEST, 'ds')).toEqual({ kind: 'next' });
    expect(positionOf(Offset.sequence(7), 'ds')).toEqual({ kind: 'offset', offset: 7 });
    expect(positionOf(Offset.time(5000), 'ds')).toEqual({ kind: 'time', ms: 5000 });
    expect(() => positionOf(Offset.NONE, 'ds', 'g')).toThrow(NoCommittedPositionError);
  });

  it('builds x-stream-offset values the broker accepts (never a JS Date; timestamps in seconds)', () => {
    expect(streamOffsetArgument({ kind: 'first' })).toBe('first');
    expect(streamOffsetArgument({ kind: 'next' })).toBe('next');
    expect(streamOffsetArgument({ kind: 'offset', offset: 3 })).toEqual({ '!': 'long', value: 3 });
    expect(streamOffsetArgument({ kind: 'time', ms: 1_700_000_000_999 })).toEqual({
      '!': 'timestamp',
      value: 1_700_000_000,
    });
  });

  it('stores positions as JSON and reads them back; LATEST is stored as the time it was chosen', () => {
    for (const position of [
      { kind: 'offset', offset: 12 },
      { kind: 'first' },
      { kind: 'time', ms: 99 },
    ] as const)
      expect(decodePosition(encodePosition(position))).toEqual(position);
    expect(decodePosition(encodePosition({ kind: 'next' }, 1234))).toEqual({ kind: 'time', ms: 1234 });
    expect(decodePosition(Buffer.from('not json'))).toBeUndefined();
    expect(decodePosition(Buffer.from('{"offset":-1}'))).toBeUndefined();
  });
});
