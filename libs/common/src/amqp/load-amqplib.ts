import type * as Amqplib from 'amqplib';
import { ConfigurationError } from '../errors';

let loaded: typeof Amqplib | undefined;

/**
 * amqplib, loaded on first use: it is an optional peer dependency, so `@databus/common` (and this subpath)
 * loads without it and only an AMQP connection needs it installed.
 */
export function loadAmqplib(): typeof Amqplib {
  if (loaded) return loaded;
  try {
    loaded = require('amqplib') as typeof Amqplib;
    return loaded;
  } catch (error) {
    throw new ConfigurationError(
      'url',
      'the amqplib package installed for amqp:// and amqps:// (npm i amqplib)',
      {
        cause: error,
      },
    );
  }
}
