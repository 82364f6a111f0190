import { DatabusError, TemporaryError } from '../errors';
import { redactText } from '../logging';
import type { BrokerCredentials, CredentialsProvider } from './credentials-provider.interface';

/**
 * The credentials a broker connection presents on this attempt: `undefined` without a provider (the URL's
 * or none), else what `provider.get()` resolves to. A provider failing with a `DatabusError` (a token source's
 * `AuthenticationError`) fails with it as it is; any other failure becomes a `TemporaryError` naming `where`
 * (a redacted broker address), its text redacted, so the connection attempt is retried like a broker fault.
 */
export async function readBrokerCredentials(
  provider: CredentialsProvider | undefined,
  where: string,
): Promise<BrokerCredentials | undefined> {
  if (!provider) return undefined;
  try {
    return await provider.get();
  } catch (error) {
    if (error instanceof DatabusError) throw error;
    const text = redactText(error instanceof Error ? error.message : String(error));
    throw new TemporaryError(`Could not obtain the credentials for ${where}: ${text}`, { cause: error });
  }
}
