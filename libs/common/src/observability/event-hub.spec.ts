import { EventHub } from './event-hub';

describe('EventHub', () => {
  it('calls every listener, and a throwing listener does not stop the others', () => {
    const hub = new EventHub<number>();
    const seen: number[] = [];
    hub.on(() => {
      throw new Error('observer bug');
    });
    hub.on((n) => seen.push(n));
    hub.emit(1);
    expect(seen).toEqual([1]);
  });

  it('stops calling a listener once the function it returned is called', () => {
    const hub = new EventHub<string>();
    const seen: string[] = [];
    const off = hub.on((s) => seen.push(s));
    hub.emit('a');
    off();
    hub.emit('b');
    expect(seen).toEqual(['a']);
  });
});
