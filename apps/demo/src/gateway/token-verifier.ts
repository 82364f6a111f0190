import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { CryptoKey, JWTPayload, JWTVerifyGetKey } from 'jose';
import { JWT_ALGORITHM } from './signing-key';

/** Why a bearer token was refused; safe to show (it never contains the token). */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** What the API requires of a token besides a valid signature. */
export interface TokenRequirements {
  issuer: string;
  audience: string;
}

/**
 * Checks bearer JWTs for the API: signature (the in-process issuer's key, or an external gateway's JWKS),
 * expiry, `iss` and `aud`.
 */
export class TokenVerifier {
  private constructor(
    private readonly key: CryptoKey | JWTVerifyGetKey,
    private readonly requirements: TokenRequirements,
  ) {}

  /** Verifies with a known public key (the in-process issuer). */
  static withKey(publicKey: CryptoKey, requirements: TokenRequirements): TokenVerifier {
    return new TokenVerifier(publicKey, requirements);
  }

  /** Verifies with the keys published at `jwksUrl` (fetched and cached by jose). */
  static withJwks(jwksUrl: string, requirements: TokenRequirements): TokenVerifier {
    return new TokenVerifier(createRemoteJWKSet(new URL(jwksUrl)), requirements);
  }

  /** The verified claims; throws `InvalidTokenError` naming the reason. */
  async verify(token: string): Promise<JWTPayload> {
    try {
      const options = {
        algorithms: [JWT_ALGORITHM, 'RS256', 'PS256', 'EdDSA'],
        issuer: this.requirements.issuer,
        audience: this.requirements.audience,
        requiredClaims: ['exp', 'sub'],
      };
      const { payload } =
        typeof this.key === 'function'
          ? await jwtVerify(token, this.key, options)
          : await jwtVerify(token, this.key, options);
      return payload;
    } catch (error) {
      throw new InvalidTokenError(reason(error));
    }
  }
}

function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'token expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `claim "${error.claim}" ${error.reason}`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'bad signature';
  if (error instanceof errors.JOSEAlgNotAllowed) return 'algorithm not allowed';
  if (error instanceof errors.JWKSNoMatchingKey) return 'unknown signing key';
  if (error instanceof errors.JOSEError) return 'malformed token';
  return 'token could not be verified';
}
