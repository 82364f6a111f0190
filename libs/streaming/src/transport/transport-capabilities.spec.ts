import { UnsupportedFeatureError } from '@databus/common';
import {
  assertChannelSettingsSupported,
  ChannelSettings,
  ChannelSettingsCapabilities,
  defineCapabilities,
  refuseNack,
  TransportCapabilities,
} from './transport-capabilities';

/** The default capabilities with `channelSettings` replaced (`undefined`: a custom transport declaring none). */
const withSettings = (channelSettings?: ChannelSettingsCapabilities): TransportCapabilities => ({
  ...defineCapabilities(),
  channelSettings,
});
const where = "open({ group: 'g' })";

/** The error `assertChannelSettingsSupported` threw, or `undefined`. */
function refusal(capabilities: TransportCapabilities, settings: ChannelSettings): unknown {
  try {
    assertChannelSettingsSupported('demo', capabilities, settings, where);
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('assertChannelSettingsSupported', () => {
  const none = withSettings({ requestTimeoutMs: false, sessionTimeoutMs: false, extraConfigs: [] });

  it.each(['requestTimeoutMs', 'sessionTimeoutMs'] as const)(
    'refuses %s on a transport that does not declare it, naming transport and option',
    (option) => {
      const error = refusal(none, { [option]: 5000 });
      expect(error).toBeInstanceOf(UnsupportedFeatureError);
      expect(error).toMatchObject({ transport: 'demo', feature: `open({ ${option} })` });
      expect((error as Error).message).toBe(
        `The demo transport does not support open({ ${option} }): ${where} sets it, and this transport has no such consumer setting; leave it out here (see the streaming README, "Channel options per transport").`,
      );
    },
  );

  it('refuses every setting when the transport declares no channelSettings at all (custom transports)', () => {
    expect(refusal(withSettings(undefined), { sessionTimeoutMs: 1000 })).toMatchObject({
      feature: 'open({ sessionTimeoutMs })',
    });
    expect(refusal(withSettings(undefined), { extraConfigs: { 'bogus.key': 1 } })).toMatchObject({
      feature: 'open({ extraConfigs }) (key "bogus.key")',
    });
  });

  it('accepts the settings a transport declares, and settings left out', () => {
    const kafkaLike = withSettings({
      requestTimeoutMs: true,
      sessionTimeoutMs: true,
      extraConfigs: ['heartbeatIntervalMs'],
    });
    expect(
      refusal(kafkaLike, {
        requestTimeoutMs: 40_000,
        sessionTimeoutMs: 20_000,
        extraConfigs: { heartbeatIntervalMs: 2000 },
      }),
    ).toBeUndefined();
    expect(refusal(none, {})).toBeUndefined();
    expect(refusal(none, { extraConfigs: {} })).toBeUndefined();
  });

  it('refuses an extraConfigs key outside the declared list, naming the key and the accepted ones', () => {
    const listed = withSettings({
      requestTimeoutMs: true,
      sessionTimeoutMs: true,
      extraConfigs: ['maxBytes', 'minBytes'],
    });
    const error = refusal(listed, { extraConfigs: { maxBytes: 1, 'bogus.key': 1 } });
    expect(error).toBeInstanceOf(UnsupportedFeatureError);
    expect(error).toMatchObject({
      transport: 'demo',
      feature: 'open({ extraConfigs }) key "bogus.key" (accepted: maxBytes, minBytes)',
    });
  });

  it("passes every extraConfigs key through when the transport declares 'any' (the REST service)", () => {
    const rest = withSettings({ requestTimeoutMs: true, sessionTimeoutMs: true, extraConfigs: 'any' });
    expect(refusal(rest, { extraConfigs: { 'bogus.key': 1, 'fetch.min.bytes': 1 } })).toBeUndefined();
  });
});

describe('defineCapabilities', () => {
  it('is the full set with no consumer setting when nothing is declared', () => {
    expect(defineCapabilities()).toEqual({
      seekBySequence: true,
      seekByTime: true,
      seek: true,
      history: true,
      durableGroups: true,
      requestReply: true,
      ackMode: 'individual',
      nack: true,
      channelSettings: { requestTimeoutMs: false, sessionTimeoutMs: false, extraConfigs: [] },
    });
  });

  it('keeps the defaults a transport does not declare, also inside channelSettings', () => {
    const capabilities = defineCapabilities({
      seek: false,
      ackMode: 'position',
      channelSettings: { sessionTimeoutMs: true },
    });
    expect(capabilities).toMatchObject({ seek: false, seekByTime: true, ackMode: 'position', nack: true });
    expect(capabilities.channelSettings).toEqual({
      requestTimeoutMs: false,
      sessionTimeoutMs: true,
      extraConfigs: [],
    });
  });

  it('freezes the result and its channelSettings', () => {
    const capabilities = defineCapabilities({ channelSettings: { extraConfigs: 'any' } });
    expect(Object.isFrozen(capabilities)).toBe(true);
    expect(Object.isFrozen(capabilities.channelSettings)).toBe(true);
  });
});

describe('refuseNack', () => {
  it('fails every call with UnsupportedFeatureError naming the transport, nack and the reason', async () => {
    const nack = refuseNack('demo', 'the broker keeps positions only');
    const failure = nack().catch((error: unknown) => error);
    await expect(failure).resolves.toBeInstanceOf(UnsupportedFeatureError);
    await expect(failure).resolves.toMatchObject({
      transport: 'demo',
      feature: 'nack',
      message: 'The demo transport does not support nack: the broker keeps positions only',
    });
  });
});
