import { ConfigurationError } from '../errors';

/** The TLS scheme of each plain broker scheme: a plain scheme connects to the plain listener, without TLS. */
const TLS_SCHEME_OF: Readonly<Record<string, string>> = Object.freeze({
  amqp: 'amqps',
  mqtt: 'mqtts',
  kafka: 'kafka+ssl',
  'rest+http': 'rest+https',
});

/**
 * Plain schemes whose protocol upgrades to TLS in-band, on the same port: a NATS server sends its INFO in
 * clear text and the client upgrades the connection when either side asks for TLS (`tls_required`), so
 * `nats://` with `tls` options is TLS on the server's one client port (nats.js then refuses a server that
 * does not offer TLS). `tls://` says the same thing.
 */
const IN_BAND_TLS = new Set(['nats']);

/** Schemes with no network connection to secure. */
const NO_NETWORK = new Set(['memory']);

/**
 * The scheme rule of TLS options, the same in every databus lib: `tls` needs the URL's TLS scheme
 * (`amqps://`, `mqtts://`, `kafka+ssl://`, `rest+https://`), so TLS is never switched on quietly against a
 * plain port. `nats://` is the exception (TLS is negotiated in-band on the same port), and `memory://` takes
 * no TLS at all. Fails with a `ConfigurationError` naming `tlsOption` and the scheme; schemes it does not
 * know (TLS ones, custom transports) pass.
 * @param scheme the URL's scheme, without `://` (e.g. `amqp`)
 * @param tlsOption the option's full name in errors (e.g. `StreamingModule.tls`)
 */
export function assertTlsScheme(scheme: string, tlsOption: string): void {
  if (IN_BAND_TLS.has(scheme)) return;
  const secure = TLS_SCHEME_OF[scheme];
  if (secure)
    throw new ConfigurationError(
      tlsOption,
      `${secure}:// in the url (TLS options are not used with ${scheme}://, which connects to the plain port without TLS; write ${secure}:// and the TLS port)`,
      { received: `${scheme}://…` },
    );
  if (NO_NETWORK.has(scheme))
    throw new ConfigurationError(
      tlsOption,
      `no TLS options with ${scheme}:// (it has no connection to secure)`,
      {
        received: `${scheme}://…`,
      },
    );
}
