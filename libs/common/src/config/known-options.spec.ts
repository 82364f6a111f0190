import { ConfigurationError } from '../errors';
import { assertKnownOptions } from './known-options';

const KNOWN = ['url', 'prefetch', 'retry'];

describe('assertKnownOptions', () => {
  it('accepts known keys, undefined values included', () => {
    expect(() =>
      assertKnownOptions({ url: 'memory://', prefetch: undefined }, KNOWN, 'TaskQueueModule'),
    ).not.toThrow();
  });

  it('names a misspelt option, suggests the closest known one and lists them', () => {
    let error: unknown;
    try {
      assertKnownOptions({ url: 'memory://', prefech: 10 }, KNOWN, 'TaskQueueModule');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).option).toBe('TaskQueueModule.prefech');
    expect((error as Error).message).toBe(
      'Invalid option "TaskQueueModule.prefech": expected "prefetch" (a typo?) or another known option (url, prefetch, retry), received an unknown option.',
    );
  });

  it('counts a swap of two letters as one edit (tokenFeild → tokenField)', () => {
    expect(() =>
      assertKnownOptions({ tokenFeild: 'token' }, ['tokenField', 'tokenUrl'], 'JwtAuthModule'),
    ).toThrow(
      'Invalid option "JwtAuthModule.tokenFeild": expected "tokenField" (a typo?) or another known option (tokenField, tokenUrl), received an unknown option.',
    );
  });

  it('suggests nothing for a name far from every known one, and joins a prefix ending in ":" with a space', () => {
    expect(() =>
      assertKnownOptions({ colour: 'red' }, KNOWN, "@TaskHandler('stats') on Worker.run:"),
    ).toThrow(
      `Invalid option "@TaskHandler('stats') on Worker.run: colour": expected a known option (url, prefetch, retry), received an unknown option.`,
    );
  });
});
