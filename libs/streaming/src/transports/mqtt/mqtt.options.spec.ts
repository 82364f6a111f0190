import { ConfigurationError } from '@databus/common';
import { resolveMqttOptions } from './mqtt.options';
import { keepaliveForSessionTimeout, sessionExpirySeconds } from './mqtt.transport';

describe('resolveMqttOptions', () => {
  it('applies defaults', () => {
    expect(resolveMqttOptions({})).toEqual({
      maxInflight: 1000,
      keepaliveSeconds: 30,
      connectTimeoutMs: 10_000,
      inboxPrefix: 'databus/inbox',
      reconnectHoldMs: 5_000,
    });
  });

  it.each([
    [{ maxInflight: 0 }, 'transportOptions.maxInflight'],
    [{ maxInflight: 1.5 }, 'transportOptions.maxInflight'],
    [{ keepaliveSeconds: -1 }, 'transportOptions.keepaliveSeconds'],
    [{ connectTimeoutMs: 0 }, 'transportOptions.connectTimeoutMs'],
    [{ inboxPrefix: 'a/#' }, 'transportOptions.inboxPrefix'],
    [{ reconnectHoldMs: 'soon' }, 'transportOptions.reconnectHoldMs'],
    [{ qos: 2 }, 'transportOptions.qos'],
  ])('rejects %j naming %s', (raw, option) => {
    expect(() => resolveMqttOptions(raw)).toThrow(ConfigurationError);
    expect(() => resolveMqttOptions(raw)).toThrow(option);
  });

  it('caps the session expiry at the MQTT 5 maximum', () => {
    expect(sessionExpirySeconds(1500)).toBe(2);
    expect(sessionExpirySeconds(7 * 24 * 3600_000)).toBe(604_800);
    expect(sessionExpirySeconds(Number.MAX_SAFE_INTEGER)).toBe(0xffffffff);
  });

  it("maps a channel's sessionTimeoutMs to a keep-alive the broker drops a silent member after (1.5 ×)", () => {
    expect(keepaliveForSessionTimeout(undefined)).toBeUndefined();
    expect(keepaliveForSessionTimeout(12_000)).toBe(8);
    expect(keepaliveForSessionTimeout(30_000)).toBe(20);
    expect(keepaliveForSessionTimeout(500)).toBe(1);
    expect(keepaliveForSessionTimeout(10 ** 9)).toBe(65_535);
  });
});
