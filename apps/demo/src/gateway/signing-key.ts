import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import type { CryptoKey, JWK } from 'jose';

/** Algorithm of the demo's JWTs. */
export const JWT_ALGORITHM = 'ES256';

/** The issuer's key pair and its public JWK (with `kid`), for signing and for the JWKS endpoint. */
export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  publicJwk: JWK;
}

/** Generates a fresh ES256 key pair; it lives in memory only, so a restart invalidates every token. */
export async function createSigningKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(JWT_ALGORITHM);
  const kid = randomUUID();
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: JWT_ALGORITHM, use: 'sig' };
  return { kid, privateKey, publicKey, publicJwk };
}
