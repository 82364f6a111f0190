import { REFRESH_FAILED, STARTUP_FETCH_FAILED } from './auth.messages';

describe('auth log texts', () => {
  const error = 'The token endpoint https://gw/token could not be reached: ECONNREFUSED.';

  it('a failed refresh reads as one sentence, without a double period', () => {
    expect(REFRESH_FAILED('gw', error, 2, 400, false)).toBe(
      'Token source "gw": refresh attempt 2 failed: The token endpoint https://gw/token could not be reached: ' +
        'ECONNREFUSED. Next attempt in 400 ms.',
    );
    expect(REFRESH_FAILED('gw', error, 1, 200, true)).toBe(
      'Token source "gw": refresh attempt 1 failed: The token endpoint https://gw/token could not be reached: ' +
        'ECONNREFUSED. Next attempt in 200 ms; the current token is still valid and keeps being served.',
    );
  });

  it('the startup warning quotes the error without its period', () => {
    expect(STARTUP_FETCH_FAILED('gw', error)).toBe(
      'Token source "gw": no token at startup (The token endpoint https://gw/token could not be reached: ' +
        'ECONNREFUSED); failOnStartup is false, so the application starts and the manager keeps trying.',
    );
  });
});
