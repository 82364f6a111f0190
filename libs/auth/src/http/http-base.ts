import * as http from 'node:http';
import * as https from 'node:https';
import { Logger } from '@nestjs/common';
import axios, { AxiosInstance } from 'axios';
import {
  assertDuration,
  assertInteger,
  assertNonEmptyString,
  ConfigurationError,
  loadTlsMaterial,
} from '@databus/common';
import { assertKnownOptions, tlsSocketOptions } from '@databus/common/internal';
import { HTTP_CLIENT_OPTION_NAMES, HttpClientModuleOptions } from './http-client-options.interface';

/** The HTTP layer both HTTP modules are built on. */
export interface HttpBase {
  /** The configured axios instance. */
  readonly axios: AxiosInstance;
  /** Origin of `baseURL` (`https://api.internal:8443`). */
  readonly origin: string;
  /** Closes the agents' sockets. */
  close(): void;
}

/**
 * Validates the shared options (unknown names, base URL, durations) and builds the axios instance: JSON
 * defaults, base URL, timeout, and http/https agents with keep-alive and the TLS material (common's
 * `tlsSocketOptions`). `module` names the module in errors and warnings; `extra` lists the option names the
 * module adds on top.
 */
export function createHttpBase(
  options: HttpClientModuleOptions,
  module: string,
  extra: readonly string[] = [],
): HttpBase {
  if (options === null || typeof options !== 'object' || Array.isArray(options))
    throw new ConfigurationError(module, 'an options object with a baseURL');
  assertKnownOptions(options, [...HTTP_CLIENT_OPTION_NAMES, ...extra], module);
  const baseURL = assertNonEmptyString(options.baseURL, `${module}.baseURL`);
  const base = URL.canParse(baseURL) ? new URL(baseURL) : undefined;
  if (!base || (base.protocol !== 'http:' && base.protocol !== 'https:'))
    throw new ConfigurationError(`${module}.baseURL`, 'an absolute http(s) URL', {
      received: JSON.stringify(baseURL),
    });
  const timeout = assertDuration(options.timeoutMs ?? 30_000, `${module}.timeoutMs`, 1);
  const maxSockets = assertInteger(options.maxSockets ?? 50, `${module}.maxSockets`, 1);
  if (options.keepAlive !== undefined && typeof options.keepAlive !== 'boolean')
    throw new ConfigurationError(`${module}.keepAlive`, 'true or false', {
      received: JSON.stringify(options.keepAlive),
    });
  const keepAlive = options.keepAlive ?? true;
  const tls = options.tls
    ? loadTlsMaterial(options.tls, `${module}.tls`, (m) => new Logger(module).warn(m))
    : undefined;
  const httpAgent = new http.Agent({ keepAlive, maxSockets });
  const httpsAgent = new https.Agent({ keepAlive, maxSockets, ...tlsSocketOptions(tls) });
  const instance = axios.create({
    ...(options.axios ?? {}),
    baseURL,
    timeout,
    headers: { Accept: 'application/json', ...(options.headers ?? {}) },
    httpAgent,
    httpsAgent,
  });
  return {
    axios: instance,
    origin: base.origin,
    close: () => {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
