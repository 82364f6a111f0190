export { redact, redactText, fingerprint, REDACTED } from './redact';
