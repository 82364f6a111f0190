import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Logger, OnApplicationShutdown } from '@nestjs/common';
import type { JwtAuthModuleOptions } from '@databus/auth';
import { ConfigurationError } from '@databus/common';
import { DemoConfig } from '../config/demo-config.interface';
import { DEMO_CLIENT_NAME, ensureDemoPki } from './demo-pki';
import { createSigningKey } from './signing-key';
import { TokenIssuer } from './token-issuer';
import { TokenVerifier } from './token-verifier';

/**
 * The token side of the demo, set up before anything asks for a token: either the in-process issuer (the
 * default, started here) or an external gateway (`AUTH_TOKEN_URL` + `AUTH_JWKS_URL`). It gives
 * `JwtAuthModule` its options and the API its `TokenVerifier`.
 */
export class GatewayService implements OnApplicationShutdown {
  private static readonly logger = new Logger('Gateway');

  private constructor(
    /** Options for `JwtAuthModule` (how the worker obtains tokens). */
    readonly jwtOptions: JwtAuthModuleOptions,
    /** How the API checks the tokens it receives. */
    readonly verifier: TokenVerifier,
    /** The in-process issuer, when the demo runs its own. */
    readonly issuer?: TokenIssuer,
  ) {}

  /** Starts the in-process issuer (or describes the external gateway) from the configuration. */
  static async create(config: DemoConfig): Promise<GatewayService> {
    return config.auth.tokenUrl
      ? GatewayService.external(config, config.auth.tokenUrl)
      : GatewayService.inProcess(config);
  }

  /** A real gateway: its token endpoint for the worker, its JWKS for the API. */
  private static external(config: DemoConfig, tokenUrl: string): GatewayService {
    const { auth } = config;
    const requirements = { issuer: auth.issuer, audience: auth.audience };
    const common = { tokenField: auth.tokenField, failOnStartup: true } as const;
    const verifier = TokenVerifier.withJwks(auth.jwksUrl as string, requirements);
    if (auth.strategy === 'mtls') {
      if (!config.tls.pfx && !config.tls.cert)
        throw new ConfigurationError(
          'TLS_CERT_FILE',
          'a client certificate (or TLS_PFX_FILE) for AUTH_STRATEGY=mtls',
        );
      return new GatewayService({ ...common, strategy: 'mtls', tokenUrl, tls: config.tls }, verifier);
    }
    if (!auth.password) throw new ConfigurationError('AUTH_PASSWORD', 'the password for AUTH_USERNAME');
    const tls = config.tls.ca ? { ca: config.tls.ca } : undefined;
    return new GatewayService(
      {
        ...common,
        strategy: 'password',
        tokenUrl,
        username: auth.username,
        password: auth.password,
        tls,
      },
      verifier,
    );
  }

  /** The demo's own issuer: mTLS over HTTPS with the demo PKI, or a password login on loopback. */
  private static async inProcess(config: DemoConfig): Promise<GatewayService> {
    const { auth } = config;
    const requirements = { issuer: auth.issuer, audience: auth.audience };
    const common = { tokenField: auth.tokenField, failOnStartup: true } as const;
    const key = await createSigningKey();
    const verifier = TokenVerifier.withKey(key.publicKey, requirements);
    const base = {
      host: '127.0.0.1',
      port: auth.issuerPort,
      key,
      ttlSeconds: auth.tokenTtlSeconds,
      audience: auth.audience,
      issuer: auth.issuer,
    };
    if (auth.strategy === 'mtls') {
      const pki = ensureDemoPki(config.dataDir);
      const issuer = await TokenIssuer.start({
        ...base,
        mode: 'mtls',
        tls: {
          cert: readFileSync(pki.serverCert),
          key: readFileSync(pki.serverKey),
          ca: readFileSync(pki.caCert),
        },
      });
      GatewayService.logger.log(
        `Token issuer (mTLS, CA in ${pki.dir}) at ${issuer.tokenUrl}: ${auth.tokenTtlSeconds} s tokens for ${DEMO_CLIENT_NAME}`,
      );
      const tls = { cert: pki.clientCert, key: pki.clientKey, ca: pki.caCert };
      return new GatewayService(
        { ...common, strategy: 'mtls', tokenUrl: issuer.tokenUrl, tls },
        verifier,
        issuer,
      );
    }
    // No password configured: a random one, known only to this process.
    const password = auth.password ?? randomBytes(18).toString('base64url');
    const issuer = await TokenIssuer.start({ ...base, mode: 'password', username: auth.username, password });
    GatewayService.logger.log(
      `Token issuer (password) at ${issuer.tokenUrl}: ${auth.tokenTtlSeconds} s tokens for "${auth.username}"`,
    );
    return new GatewayService(
      { ...common, strategy: 'password', tokenUrl: issuer.tokenUrl, username: auth.username, password },
      verifier,
      issuer,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.issuer?.close();
  }
}
