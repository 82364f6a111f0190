import { ConfigurationError } from '@databus/common';
import { assertKnownOptions } from '@databus/common/internal';
import type { PayloadClass } from './schema/types';

/** The document's `info` object. @publicApi */
export interface AsyncApiInfo {
  title: string;
  /** The version of the application's API (not of AsyncAPI). */
  version: string;
  description?: string;
}

interface ProducerCommon {
  /** The class of what is sent (a DTO): its schema is generated like a handler's `@Payload()` class. */
  payload?: PayloadClass;
  /** The module connection it is sent on (`name` of `StreamingModule` / `TaskQueueModule`); `default` if absent. */
  connection?: string;
  /** One line on what is sent and when. */
  summary?: string;
}

/**
 * Something the application sends, which handlers cannot tell the generator: a dataset it produces to, a task
 * it enqueues or an event it publishes. Exactly one of `dataset`, `task`, `event`. @publicApi
 */
export type AsyncApiProducer =
  | (ProducerCommon & { dataset: string; task?: never; event?: never })
  | (ProducerCommon & { task: string; dataset?: never; event?: never })
  | (ProducerCommon & { event: string; dataset?: never; task?: never });

/** Options of `AsyncApiModule.forRoot`. @publicApi */
export interface AsyncApiModuleOptions {
  info: AsyncApiInfo;
  /**
   * The HTTP route that serves the document as JSON (`GET`), relative to the app's global prefix like any
   * controller route. Default `/asyncapi.json`; `false` serves nothing (use `AsyncApiService.document()`).
   */
  path?: string | false;
  /** What the application sends (handlers describe what it receives). */
  producers?: AsyncApiProducer[];
}

/** Options with defaults applied and values checked. */
export interface ResolvedAsyncApiOptions {
  info: AsyncApiInfo;
  path: string | false;
  producers: Array<{
    kind: 'dataset' | 'task' | 'event';
    address: string;
    payload?: PayloadClass;
    connection: string;
    summary?: string;
  }>;
}

/** Default route of the document. @publicApi */
export const DEFAULT_ASYNCAPI_PATH = '/asyncapi.json';

const KNOWN = ['info', 'path', 'producers'];
const KNOWN_INFO = ['title', 'version', 'description'];
const KNOWN_PRODUCER = ['dataset', 'task', 'event', 'payload', 'connection', 'summary'];
const P = 'AsyncApiModule';

/** Checks `options` and applies the defaults; a bad value is a `ConfigurationError` naming the option. */
export function resolveAsyncApiOptions(options: AsyncApiModuleOptions): ResolvedAsyncApiOptions {
  if (!options || typeof options !== 'object') throw new ConfigurationError(P, 'an options object with info');
  assertKnownOptions(options, KNOWN, P);
  const { info } = options;
  if (!info || typeof info !== 'object')
    throw new ConfigurationError(`${P}.info`, 'an object { title, version }');
  assertKnownOptions(info, KNOWN_INFO, `${P}.info`);
  for (const key of ['title', 'version'] as const)
    if (typeof info[key] !== 'string' || info[key].trim() === '')
      throw new ConfigurationError(`${P}.info.${key}`, 'a non-empty string');
  const path = options.path ?? DEFAULT_ASYNCAPI_PATH;
  if (path !== false && (typeof path !== 'string' || !path.startsWith('/')))
    throw new ConfigurationError(`${P}.path`, 'a route starting with "/" (or false to serve nothing)', {
      received: JSON.stringify(path),
    });
  const producers = (options.producers ?? []).map((producer, i) =>
    resolveProducer(producer, `${P}.producers[${i}]`),
  );
  return { info: { ...info }, path, producers };
}

function resolveProducer(
  producer: AsyncApiProducer,
  at: string,
): ResolvedAsyncApiOptions['producers'][number] {
  if (!producer || typeof producer !== 'object')
    throw new ConfigurationError(at, 'an object { dataset | task | event }');
  assertKnownOptions(producer, KNOWN_PRODUCER, at);
  const given = (['dataset', 'task', 'event'] as const).filter((k) => producer[k] !== undefined);
  if (given.length !== 1)
    throw new ConfigurationError(at, 'exactly one of dataset, task or event', {
      received: given.length ? given.join(' and ') : 'none',
    });
  const kind = given[0];
  const address = producer[kind];
  if (typeof address !== 'string' || address === '')
    throw new ConfigurationError(`${at}.${kind}`, 'a non-empty name');
  if (producer.payload !== undefined && typeof producer.payload !== 'function')
    throw new ConfigurationError(`${at}.payload`, 'a class (the DTO of what is sent)');
  return {
    kind,
    address,
    payload: producer.payload,
    connection: producer.connection ?? 'default',
    summary: producer.summary,
  };
}
