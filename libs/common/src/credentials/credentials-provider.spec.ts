import { staticCredentials } from './credentials-provider.interface';

describe('staticCredentials', () => {
  it('returns the same frozen copy from get() and current()', async () => {
    const source = { username: 'svc', password: 'p' };
    const provider = staticCredentials(source);
    source.password = 'changed';
    const got = await provider.get();
    expect(got).toEqual({ username: 'svc', password: 'p' });
    expect(provider.current()).toBe(got);
    expect(Object.isFrozen(got)).toBe(true);
  });

  it('never refreshes; onRefresh returns a working unsubscribe', () => {
    const listener = jest.fn();
    const off = staticCredentials({ token: 't' }).onRefresh(listener);
    expect(typeof off).toBe('function');
    expect(() => off()).not.toThrow();
    expect(listener).not.toHaveBeenCalled();
  });
});
