import { JwtManager, jwtCredentials } from '@databus/auth';
import { describeConformance } from '../conformance';
import { fakeServiceLogin, FakeStreamingService } from '../fakes/fake-streaming-service';

/**
 * The conformance suite, unchanged, on the REST streaming service transport against the local fake service
 * (rotating tokens, sticky cookie, records again until committed). Seek and request/response are refused as
 * the transport's capabilities declare.
 */
describe('rest transport conformance on the fake streaming service', () => {
  let fake: FakeStreamingService;
  let login: JwtManager;

  beforeAll(async () => {
    fake = await FakeStreamingService.start({ rotateEvery: 25 });
    login = fakeServiceLogin(fake);
    await login.start();
  });

  afterAll(async () => {
    await login?.close();
    await fake?.close();
    // Every consumer call carried the sticky cookie of its consumer.
    expect(fake.counts.cookieRefusals).toBe(0);
    expect(fake.counts.rotations).toBeGreaterThan(0);
  });

  describeConformance({
    name: 'rest',
    url: () => fake.transportUrl,
    options: {
      transportOptions: { pollIntervalMs: 50 },
      get credentials() {
        return jwtCredentials(login);
      },
    },
    restartBroker: () => fake.restart(500),
    // The configs the service's consumer of the group was created with (milliseconds as strings).
    channelSettings: async (_dataset, group) => {
      const consumer = [...fake.log.consumers.values()].find((c) => c.group === group);
      const configs = consumer?.configs ?? {};
      const ms = (key: string) => (configs[key] === undefined ? undefined : Number(configs[key]));
      return {
        requestTimeoutMs: ms('request.timeout.ms'),
        sessionTimeoutMs: ms('session.timeout.ms'),
        extraConfigs: configs,
      };
    },
    deliveryTimeoutMs: 10_000,
  });
});
