import { ConfigurationError } from '../errors';

/** One broker of a cluster. */
export interface BrokerHost {
  host: string;
  port?: number;
}

/** A broker URL split into its parts; `hosts` lists every broker of a cluster. */
export interface BrokerUrl {
  /** Scheme without the colon, lower-case: `kafka`, `amqps`, `memory`, … */
  scheme: string;
  hosts: BrokerHost[];
  username?: string;
  password?: string;
  /** Path without the leading slash (AMQP vhost, memory broker name); '' when absent. */
  path: string;
  query: Record<string, string>;
}

/**
 * Parses `scheme://[user[:password]@]host[:port][,host[:port]…][/path][?query]`.
 * A comma-separated host list names the brokers of one cluster. User and password are URL-decoded.
 * Errors name `option` and never repeat the password. `examples` is what the error for a missing URL offers:
 * give the schemes the caller accepts (the default lists the streaming transports).
 */
export function parseBrokerUrl(
  url: string,
  option = 'url',
  examples = 'memory://, kafka://host:9092, amqp://user:pass@host, mqtt://host, nats://host',
): BrokerUrl {
  if (typeof url !== 'string' || url.trim() === '')
    throw new ConfigurationError(option, `a broker URL such as ${examples}`);
  // The user info ends at the LAST `@` before the path, so an unencoded `@` in a password stays in it.
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:([^/?#]*)@)?([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?$/i.exec(
    url.trim(),
  );
  if (!match)
    throw new ConfigurationError(option, 'a URL of the form scheme://host[:port]', {
      received: redactUrl(url),
    });
  const [, scheme, userInfo, hostList, path = '', query = ''] = match;
  const result: BrokerUrl = {
    scheme: scheme.toLowerCase(),
    hosts: [],
    path: decodeURIComponent(path),
    query: {},
  };
  if (userInfo !== undefined) {
    const colon = userInfo.indexOf(':');
    result.username = decodeURIComponent(colon < 0 ? userInfo : userInfo.slice(0, colon));
    if (colon >= 0) result.password = decodeURIComponent(userInfo.slice(colon + 1));
  }
  for (const part of hostList
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean))
    result.hosts.push(parseHost(part, option, url));
  for (const [key, value] of new URLSearchParams(query)) result.query[key] = value;
  return result;
}

function parseHost(part: string, option: string, url: string): BrokerHost {
  const ipv6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(part);
  const [host, port] = ipv6 ? [ipv6[1], ipv6[2]] : splitHostPort(part);
  if (!host)
    throw new ConfigurationError(option, 'a host name in every comma-separated entry', {
      received: redactUrl(url),
    });
  if (!ipv6 && host.includes(':'))
    throw new ConfigurationError(option, 'IPv6 addresses in brackets, e.g. [::1]:4222', {
      received: redactUrl(url),
    });
  if (port === undefined) return { host };
  const n = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new ConfigurationError(option, 'ports between 1 and 65535', { received: redactUrl(url) });
  return { host, port: n };
}

function splitHostPort(part: string): [string, string | undefined] {
  const colon = part.lastIndexOf(':');
  return colon < 0 ? [part, undefined] : [part.slice(0, colon), part.slice(colon + 1)];
}

/**
 * The URL with its password (and any `password`/`token` query value) replaced by `***`, safe to log.
 * Also masks `user:password@host` written without a scheme, and passwords holding an unencoded `@`.
 */
export function redactUrl(url: string): string {
  return String(url)
    .replace(/^((?:[a-z][a-z0-9+.-]*:\/\/)?[^:@/?#\s]*):[^/?#]*@/i, '$1:***@')
    .replace(/([?&](?:password|pass|token|secret|key|access_token)=)[^&#]*/gi, '$1***');
}
