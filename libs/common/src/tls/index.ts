export type { TlsOptions, LoadedTls } from './tls-options.interface';
export { type TlsWarn, loadTlsMaterial } from './load-tls';
export { type TlsSocketOptions, tlsSocketOptions } from './tls-socket-options';
export {
  untrustedPeerCode,
  isClientCertificateRefused,
  isTlsAgainstPlainPort,
  tlsAgainstPlainPortError,
  tlsAgainstPlainPortSymptom,
} from './tls-failures';
export { assertTlsScheme } from './tls-scheme';
