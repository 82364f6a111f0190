import { inspect } from 'node:util';
import { fingerprint } from '@databus/common';
import { decodeJwtClaims, JwtClaims } from './expiry';

/** What a `TokenStrategy` returns: the token and, when the endpoint says so, its lifetime. @publicApi */
export interface TokenResponse {
  /** The bearer token (usually a JWT). */
  accessToken: string;
  /** Lifetime in seconds as announced by the endpoint (`expires_in`), counted from the request start. */
  expiresIn?: number;
  /** Token type announced by the endpoint. @default 'Bearer' */
  tokenType?: string;
}

/**
 * A token as cached by `JwtManager`. It never prints its value: `toString()`, `toJSON()` and
 * `util.inspect` show a fingerprint, the subject and the expiry, so a token that ends up in a log line or an
 * error payload leaks nothing. Read the secret with `value` (a prototype getter, so spreading or
 * `Object.entries` do not copy it).
 * @publicApi
 */
export class AccessToken {
  readonly #value: string;
  /** `sha256:<12 hex>` of the token, safe to log and to compare tokens by. */
  readonly fingerprint: string;
  /** The token type, `Bearer` unless the endpoint said otherwise. */
  readonly type: string;
  /** When the request that produced this token started, epoch ms (expiry is measured from here). */
  readonly obtainedAt: number;
  /** When the token stops being valid, epoch ms; `undefined` when neither `expires_in` nor `exp` said. */
  readonly expiresAt: number | undefined;
  /** Decoded (not verified) JWT claims; empty when the token is not a JWT. */
  readonly claims: Readonly<JwtClaims>;

  constructor(value: string, init: { obtainedAt: number; expiresAt?: number; type?: string }) {
    this.#value = value;
    this.fingerprint = fingerprint(value);
    this.type = init.type ?? 'Bearer';
    this.obtainedAt = init.obtainedAt;
    this.expiresAt = init.expiresAt;
    this.claims = Object.freeze(decodeJwtClaims(value) ?? {});
  }

  /** The secret token text. Never log it. */
  get value(): string {
    return this.#value;
  }

  /** The JWT `sub` claim: who the token identifies. */
  get subject(): string | undefined {
    return typeof this.claims.sub === 'string' ? this.claims.sub : undefined;
  }

  /** The `Authorization` header value, e.g. `Bearer eyJ…`. Never log it. */
  get authorization(): string {
    return `${/^bearer$/i.test(this.type) ? 'Bearer' : this.type} ${this.#value}`;
  }

  /** True when `other` (a token or its text) is this very token. */
  equals(other: AccessToken | string | undefined): boolean {
    if (other === undefined) return false;
    return typeof other === 'string' ? other === this.#value : other.fingerprint === this.fingerprint;
  }

  /** `[AccessToken sha256:… sub=… exp=…]`: safe for logs. */
  toString(): string {
    const parts = [this.fingerprint];
    if (this.subject !== undefined) parts.push(`sub=${this.subject}`);
    if (this.expiresAt !== undefined) parts.push(`exp=${new Date(this.expiresAt).toISOString()}`);
    return `[AccessToken ${parts.join(' ')}]`;
  }

  /** A secret-free JSON form. */
  toJSON(): { token: string; fingerprint: string; subject?: string; expiresAt?: string } {
    return {
      token: '[REDACTED]',
      fingerprint: this.fingerprint,
      subject: this.subject,
      expiresAt: this.expiresAt === undefined ? undefined : new Date(this.expiresAt).toISOString(),
    };
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
