import { createHash } from 'node:crypto';

const SECRET_KEY =
  /pass(word|phrase)?|secret|token|authorization|api[-_]?key|private[-_]?key|^key$|cookie|credential|^pfx$|signature/i;
const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/g;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const PEM = /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g;
/** `scheme://user:password@` in a URL: the password runs to the last `@` of the URL's authority. */
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/?#]*):[^\s/?#]*@/gi;

/** Placeholder written instead of a secret. */
export const REDACTED = '[REDACTED]';

/**
 * A deep copy of `value` that is safe to log: values under secret-looking keys (password, token,
 * authorization, apiKey, key, passphrase, …) are replaced, and bearer/basic credentials, JWTs and PEM
 * blocks inside strings are masked. Cycles and depth are bounded.
 */
export function redact<T>(value: T, depth = 6): T {
  return redactValue(value, depth, new WeakSet()) as T;
}

/** Masks bearer credentials, JWTs, PEM blocks and URL passwords inside free text (error messages, log lines). */
export function redactText(text: string): string {
  return text
    .replace(PEM, REDACTED)
    .replace(BEARER, `$1 ${REDACTED}`)
    .replace(JWT, REDACTED)
    .replace(URL_PASSWORD, `$1:${REDACTED}@`);
}

/** A short, stable, non-reversible identifier of a secret, for logs that must tell two secrets apart. */
export function fingerprint(secret: string | Buffer): string {
  return `sha256:${createHash('sha256').update(secret).digest('hex').slice(0, 12)}`;
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return `<Buffer ${value.length} bytes>`;
  if (seen.has(value)) return '[Circular]';
  if (depth <= 0) return '[Object]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth - 1, seen));
  if (value instanceof Error) {
    const copy: Record<string, unknown> = { name: value.name, message: redactText(value.message) };
    for (const [k, v] of Object.entries(value))
      copy[k] = SECRET_KEY.test(k) ? REDACTED : redactValue(v, depth - 1, seen);
    return copy;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEY.test(k) && v != null ? REDACTED : redactValue(v, depth - 1, seen);
  return out;
}
