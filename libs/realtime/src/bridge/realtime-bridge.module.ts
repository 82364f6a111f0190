import { DynamicModule, Module } from '@nestjs/common';
import { assertInteger, assertNonEmptyString, ConfigurationError } from '@databus/common';
import type { ChannelService } from '@databus/streaming';
import { CentrifugoClient } from '../client/centrifugo.client';
import { RealtimeBridge } from './realtime-bridge';
import type { RealtimeBridgeOptions } from './realtime-bridge-options.interface';

let nextBridgeId = 0;

/** The injection token of the bridge of `dataset` (to inspect it, e.g. in tests). @publicApi */
export function getRealtimeBridgeToken(dataset: string): string {
  return `databus:realtime-bridge:${dataset}`;
}

/**
 * Declares a dataset → Centrifugo channel bridge:
 * ```ts
 * RealtimeBridgeModule.forFeature({ dataset: 'sensor-readings', channel: (msg) => `sensors:${msg.key}` })
 * ```
 * Needs `CentrifugoClient` (RealtimeModule) and the `ChannelService` (StreamingModule), global or given
 * in `imports`. `@databus/streaming` is an optional peer dependency of this package: it is loaded only here.
 * @publicApi
 */
@Module({})
export class RealtimeBridgeModule {
  /** One bridge per call; several calls (different datasets) may coexist. */
  static forFeature(options: RealtimeBridgeOptions): DynamicModule {
    validate(options);
    const streaming = loadStreaming();
    const token = getRealtimeBridgeToken(options.dataset);
    return {
      module: RealtimeBridgeModule,
      imports: options.imports ?? [],
      providers: [
        // Makes each registration distinct for Nest's module de-duplication.
        { provide: 'databus:realtime-bridge:id', useValue: nextBridgeId++ },
        {
          provide: token,
          inject: [CentrifugoClient, streaming.getChannelToken(options.connection)],
          useFactory: (client: CentrifugoClient, channels: ChannelService) =>
            new RealtimeBridge(options, client, channels),
        },
      ],
      exports: [token],
    };
  }
}

function validate(options: RealtimeBridgeOptions): void {
  const where = 'RealtimeBridgeModule.forFeature';
  if (options === null || typeof options !== 'object')
    throw new ConfigurationError(where, 'an options object with dataset and channel');
  assertNonEmptyString(options.dataset, `${where}.dataset`);
  if (typeof options.channel !== 'function')
    throw new ConfigurationError(`${where}.channel`, 'a function (message) => channel name');
  for (const key of ['data', 'publish'] as const)
    if (options[key] !== undefined && typeof options[key] !== 'function')
      throw new ConfigurationError(`${where}.${key}`, 'a function of the message');
  if (options.batch !== undefined) assertInteger(options.batch, `${where}.batch`, 1, 10_000);
}

function loadStreaming(): typeof import('@databus/streaming') {
  try {
    return require('@databus/streaming');
  } catch (cause) {
    throw new ConfigurationError(
      'RealtimeBridgeModule',
      'the @databus/streaming package to be installed (it is an optional peer dependency)',
      { cause },
    );
  }
}
