import {
  ConsumerGroupChannel,
  DatasetMessage,
  OpenChannelOptions,
  UnsupportedFeatureError,
} from '@databus/streaming';
import { ConformanceTarget, dataset, ObservedChannelSettings, startApp, TestApp } from './harness';
import { delay, indexes, produceNumbered } from './helpers';

/** Consumes until `count` messages arrived, within the target's delivery bound. */
async function consumeAll(
  target: ConformanceTarget,
  channel: ConsumerGroupChannel,
  count: number,
): Promise<DatasetMessage[]> {
  const got: DatasetMessage[] = [];
  const deadline = Date.now() + (target.deliveryTimeoutMs ?? 10_000);
  while (got.length < count && Date.now() < deadline) got.push(...(await channel.consume()));
  return got;
}

/** What `open(options)` threw synchronously, if anything (a refusal comes before any consumer exists). */
function openError(app: TestApp, options: OpenChannelOptions): unknown {
  try {
    const channel = app.channel.open(options);
    void channel.destroy();
  } catch (error) {
    return error;
  }
  return undefined;
}

/**
 * Opens a channel with `settings`, and checks that the group consumes and commits with them; returns what
 * the broker reports for the group's consumer (where the target can tell).
 */
async function consumeWith(
  target: ConformanceTarget,
  app: TestApp,
  settings: Partial<OpenChannelOptions>,
): Promise<ObservedChannelSettings | undefined> {
  const ds = dataset('settings');
  const group = dataset('g');
  const channel = app.channel.open({ group, datasets: ds, batch: 10, maxWaitMs: 300, ...settings });
  try {
    await channel.create();
    await delay(300);
    await produceNumbered(app.channel, ds, 3);
    const got = await consumeAll(target, channel, 3);
    await channel.commit();
    expect(indexes(got).sort()).toEqual([0, 1, 2]);
    return await target.channelSettings?.(ds, group);
  } finally {
    await channel.destroy();
  }
}

/**
 * `open({ requestTimeoutMs, sessionTimeoutMs, extraConfigs })`: each setting either has its effect on the
 * group's consumer (what the broker holds, where the target can tell) or is refused by `open()` itself with
 * `UnsupportedFeatureError` naming the transport and the option; never accepted and ignored.
 */
export function channelSettingsConformance(target: ConformanceTarget): void {
  describe('channel consumer settings (open)', () => {
    const cases: Array<['requestTimeoutMs' | 'sessionTimeoutMs', number]> = [
      ['requestTimeoutMs', 45_000],
      ['sessionTimeoutMs', 12_000],
    ];
    it.each(cases)(
      'open({ %s }) reaches the group consumer, or is refused by open() with UnsupportedFeatureError naming it',
      async (option, value) => {
        const app = await startApp(target, target.url());
        try {
          if (!app.channel.capabilities.channelSettings?.[option]) {
            const error = openError(app, { group: dataset('g'), datasets: dataset('ds'), [option]: value });
            expect(error).toBeInstanceOf(UnsupportedFeatureError);
            expect(error).toMatchObject({
              transport: app.channel.transportName,
              feature: `open({ ${option} })`,
            });
            expect((error as Error).message).toContain(`The ${app.channel.transportName} transport`);
            return;
          }
          const observed = await consumeWith(target, app, { [option]: value });
          if (target.channelSettings) expect(observed?.[option]).toBe(value);
        } finally {
          await app.close();
        }
      },
    );

    it("open({ extraConfigs: { 'bogus.key': 1 } }) reaches the broker as given, or is refused naming the key", async () => {
      const app = await startApp(target, target.url());
      try {
        const accepted = app.channel.capabilities.channelSettings?.extraConfigs ?? [];
        if (accepted !== 'any') {
          const error = openError(app, {
            group: dataset('g'),
            datasets: dataset('ds'),
            extraConfigs: { 'bogus.key': 1 },
          });
          expect(error).toBeInstanceOf(UnsupportedFeatureError);
          expect(error).toMatchObject({ transport: app.channel.transportName });
          expect((error as UnsupportedFeatureError).feature).toMatch(
            /^open\(\{ extraConfigs \}\).*"bogus\.key"/,
          );
          return;
        }
        const observed = await consumeWith(target, app, { extraConfigs: { 'bogus.key': 1 } });
        if (target.channelSettings) expect(String(observed?.extraConfigs?.['bogus.key'])).toBe('1');
      } finally {
        await app.close();
      }
    });
  });
}
