export type { TlsOptions, LoadedTls } from './tls-options.interface';
export type { TlsWarn } from './load-tls';
export { loadTlsMaterial } from './load-tls';
