import { AuthenticationError, TemporaryError } from '../errors';
import { staticCredentials, type CredentialsProvider } from './credentials-provider.interface';
import { readBrokerCredentials } from './read-credentials';

const failing = (error: unknown): CredentialsProvider => ({
  ...staticCredentials({}),
  get: () => Promise.reject(error),
});

describe('readBrokerCredentials', () => {
  it('has nothing to read without a provider', async () => {
    await expect(readBrokerCredentials(undefined, 'amqp://broker:5672')).resolves.toBeUndefined();
  });

  it("resolves to the provider's credentials", async () => {
    const provider = staticCredentials({ username: 'svc', password: 'p' });
    await expect(readBrokerCredentials(provider, 'nats://broker:4222')).resolves.toEqual({
      username: 'svc',
      password: 'p',
    });
  });

  it('fails with the databus error a provider gave, as it is', async () => {
    const refused = new AuthenticationError('Token source "gateway" was refused');
    await expect(readBrokerCredentials(failing(refused), 'mqtt://broker:1883')).rejects.toBe(refused);
  });

  it('makes any other failure a TemporaryError naming the broker, with no secret in it', async () => {
    const cause = new Error('vault https://svc:hunter2@vault.local/v1 did not answer');
    const error = await readBrokerCredentials(failing(cause), 'mqtt://broker:1883').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TemporaryError);
    expect((error as Error).message).toMatch(
      /^Could not obtain the credentials for mqtt:\/\/broker:1883: vault /,
    );
    expect((error as Error).message).not.toContain('hunter2');
    expect((error as TemporaryError).cause).toBe(cause);
  });
});
