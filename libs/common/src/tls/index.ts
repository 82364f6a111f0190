export type { TlsOptions, LoadedTls } from './tls-options.interface';
export type { TlsWarn } from './load-tls';
export { loadTlsMaterial } from './load-tls';
export { untrustedPeerCode, isClientCertificateRefused } from './tls-failures';
