import type { AuthenticationProviderArgs, Authenticator } from 'kafkajs';

const SOH = '\u0001';

/** The error our mapper reads as refused credentials (`AuthenticationError`); it carries no token. */
export class OauthBearerRefusedError extends Error {
  override readonly name = 'KafkaJSSASLAuthenticationError';
}

/** Bytes with their int32 size in front, the form kafkajs' SaslAuthenticate request embeds as-is. */
function sized(data: Buffer): Buffer {
  const out = Buffer.alloc(4 + data.length);
  out.writeInt32BE(data.length, 0);
  data.copy(out, 4);
  return out;
}

/** `status` (and `scope`) of the broker's RFC 7628 error challenge, e.g. `invalid_token`. */
function describeChallenge(challenge: Buffer): string {
  try {
    const parsed = JSON.parse(challenge.toString('utf8')) as { status?: unknown; scope?: unknown };
    const status = typeof parsed.status === 'string' ? parsed.status : 'refused';
    return typeof parsed.scope === 'string' ? `${status} (scope ${parsed.scope})` : status;
  } catch {
    return 'refused';
  }
}

/**
 * SASL OAUTHBEARER for kafkajs (RFC 7628, as Kafka speaks it), replacing kafkajs' own authenticator, which
 * ignores the broker's answer: Kafka refuses a token with an error challenge, not an error code, so with
 * kafkajs an expired or unverifiable token "authenticates", the broker then closes the connection, and the
 * client sees only connection losses (retried forever). Here the challenge is read: the client acknowledges
 * it with the single 0x01 byte the RFC asks for and fails with {@link OauthBearerRefusedError} naming the
 * broker's status (`invalid_token`), never the token.
 */
export function oauthBearerAuthenticator(
  token: () => Promise<{ value: string }>,
): (args: AuthenticationProviderArgs) => Authenticator {
  return ({ saslAuthenticate }) => ({
    authenticate: async () => {
      const { value } = await token();
      const initial = Buffer.from(`n,,${SOH}auth=Bearer ${value}${SOH}${SOH}`);
      const challenge = await saslAuthenticate<Buffer>({
        request: { encode: () => sized(initial) },
        // kafkajs hands the challenge over size-prefixed, like the request.
        response: { decode: (raw) => raw.subarray(4), parse: (data) => data },
      });
      if (!challenge || challenge.length === 0) return;
      const status = describeChallenge(challenge);
      // The broker answers the acknowledgement with SASL_AUTHENTICATION_FAILED; the status says more.
      await saslAuthenticate({ request: { encode: () => sized(Buffer.from(SOH)) } }).catch(() => undefined);
      throw new OauthBearerRefusedError(`SASL OAUTHBEARER: the broker refused the token (${status})`);
    },
  });
}
