import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ConfigurationError } from '@databus/common';
import { CentrifugoClient, RealtimeModule } from '@databus/realtime';
import { FakeCentrifugo } from './fake-centrifugo';

const API_KEY = 'module-suite-api-key';

@Injectable()
class NewsService {
  constructor(readonly centrifugo: CentrifugoClient) {}
  announce(text: string) {
    return this.centrifugo.publish({ channel: 'news', data: { text } });
  }
}

@Injectable()
class Settings {
  readonly apiKey = API_KEY;
  apiUrl = '';
}

@Module({ providers: [Settings], exports: [Settings] })
class SettingsModule {}

describe('RealtimeModule', () => {
  let fake: FakeCentrifugo;
  beforeAll(async () => {
    fake = await FakeCentrifugo.start({ apiKey: API_KEY });
  });
  afterAll(() => fake.close());

  it('provides a configured CentrifugoClient with forRoot', async () => {
    const app = await Test.createTestingModule({
      imports: [RealtimeModule.forRoot({ apiUrl: fake.apiUrl, apiKey: API_KEY, timeoutMs: 2_000 })],
      providers: [NewsService],
    }).compile();
    await app.init();
    await expect(app.get(NewsService).announce('hello')).resolves.toEqual(
      expect.objectContaining({ offset: 1 }),
    );
    expect(app.get(CentrifugoClient).endpoint).toBe(fake.apiUrl);
    await app.close();
  });

  it('builds the options with forRootAsync from injected providers', async () => {
    const app = await Test.createTestingModule({
      imports: [
        RealtimeModule.forRootAsync({
          imports: [SettingsModule],
          inject: [Settings],
          useFactory: (s: Settings) => ({ apiUrl: fake.apiUrl, apiKey: s.apiKey }),
        }),
      ],
    }).compile();
    await app.init();
    await expect(app.get(CentrifugoClient).info()).resolves.toEqual(
      expect.objectContaining({ nodes: expect.any(Array) }),
    );
    await app.close();
  });

  it('is global with isGlobal: true', async () => {
    @Module({ providers: [NewsService] })
    class FeatureModule {}
    const app = await Test.createTestingModule({
      imports: [
        RealtimeModule.forRoot({ apiUrl: fake.apiUrl, apiKey: API_KEY, isGlobal: true }),
        FeatureModule,
      ],
    }).compile();
    await expect(app.get(NewsService).announce('global')).resolves.toBeDefined();
    await app.close();
  });

  it('fails at bootstrap with a ConfigurationError naming the option, without the key', async () => {
    const error = await Test.createTestingModule({
      imports: [RealtimeModule.forRoot({ apiUrl: 'ftp://nowhere', apiKey: API_KEY })],
    })
      .compile()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ option: 'RealtimeModule.apiUrl' });
    expect(String(error)).not.toContain(API_KEY);
  });

  it('closes the client with the application', async () => {
    const app = await Test.createTestingModule({
      imports: [RealtimeModule.forRoot({ apiUrl: fake.apiUrl, apiKey: API_KEY })],
    }).compile();
    await app.init();
    const client = app.get(CentrifugoClient);
    await client.info();
    await app.close();
    await expect(client.info()).rejects.toThrow('CentrifugoClient is closed');
  });
});
