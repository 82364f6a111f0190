import {
  assertDuration,
  assertInteger,
  assertNonEmptyString,
  assertOneOf,
  ConfigurationError,
  resolveBackoff,
  ResolvedBackoff,
} from '@databus/common';
import { assertKnownOptions } from '@databus/common/internal';
import type { LoggerService } from '@nestjs/common';
import type { IdempotencyStoreOptions } from '../inbox/inbox-options.interface';
import { DEFAULT_TRANSACTION_ADAPTERS, TransactionAdapter } from '../sql/sql-executor';
import { TableNames, tableNames } from '../sql/table-names';
import type { OutboxModuleOptions, OutboxRelayOptions } from './outbox-options.interface';

/** The relay options with defaults applied. */
export interface ResolvedRelayOptions {
  batchSize: number;
  maxAttempts: number;
  pollIntervalMs: number;
  listen: boolean;
  backoff: ResolvedBackoff;
  shutdownTimeoutMs: number;
}

/** The inbox options with defaults applied. */
export type ResolvedInboxOptions = Required<IdempotencyStoreOptions>;

/** `OutboxModuleOptions` validated, with defaults. */
export interface ResolvedOutboxOptions {
  tables: TableNames;
  adapters: readonly TransactionAdapter[];
  relay: ResolvedRelayOptions | false;
  inbox: ResolvedInboxOptions;
  logger: LoggerService | false | undefined;
}

const MODULE_OPTIONS = [
  'pool',
  'connectionString',
  'schema',
  'adapters',
  'relay',
  'inbox',
  'logger',
] as const;
const RELAY_OPTIONS = [
  'batchSize',
  'maxAttempts',
  'pollIntervalMs',
  'listen',
  'backoff',
  'shutdownTimeoutMs',
] as const;
const INBOX_OPTIONS = [
  'store',
  'retentionMs',
  'cleanupIntervalMs',
  'redisUrl',
  'redisPrefix',
  'redisLeaseMs',
] as const;
const DAY_MS = 86_400_000;

/** Validates the module options (pure); every error names the option. */
export function resolveOutboxOptions(options: OutboxModuleOptions): ResolvedOutboxOptions {
  const at = 'OutboxModule';
  assertKnownOptions(options, MODULE_OPTIONS, at);
  if (!options.pool === !options.connectionString)
    throw new ConfigurationError(`${at}.pool`, 'either pool (a pg.Pool) or connectionString, not both');
  if (options.connectionString !== undefined)
    assertNonEmptyString(options.connectionString, `${at}.connectionString`);
  const adapters = options.adapters ?? DEFAULT_TRANSACTION_ADAPTERS;
  if (!Array.isArray(adapters) || adapters.some((a) => typeof a?.accepts !== 'function'))
    throw new ConfigurationError(
      `${at}.adapters`,
      'an array of TransactionAdapter ({ name, accepts, executor })',
    );
  return {
    tables: tableNames(options.schema ?? 'public', `${at}.schema`),
    adapters,
    relay:
      options.relay === false ? false : resolveRelay(options.relay === true ? {} : (options.relay ?? {})),
    inbox: resolveInbox(options.inbox ?? {}),
    logger: options.logger,
  };
}

function resolveRelay(relay: OutboxRelayOptions): ResolvedRelayOptions {
  const at = 'OutboxModule.relay';
  assertKnownOptions(relay, RELAY_OPTIONS, at);
  if (relay.listen !== undefined && typeof relay.listen !== 'boolean')
    throw new ConfigurationError(`${at}.listen`, 'a boolean');
  return {
    batchSize: assertInteger(relay.batchSize ?? 100, `${at}.batchSize`, 1, 10_000),
    maxAttempts: assertInteger(relay.maxAttempts ?? 5, `${at}.maxAttempts`, 1, 1_000_000),
    pollIntervalMs: assertDuration(relay.pollIntervalMs ?? 1_000, `${at}.pollIntervalMs`, 1),
    listen: relay.listen ?? true,
    backoff: resolveBackoff(relay.backoff ?? { initialMs: 200, maxMs: 10_000 }, `${at}.backoff`),
    shutdownTimeoutMs: assertDuration(relay.shutdownTimeoutMs ?? 10_000, `${at}.shutdownTimeoutMs`),
  };
}

function resolveInbox(inbox: IdempotencyStoreOptions): ResolvedInboxOptions {
  const at = 'OutboxModule.inbox';
  assertKnownOptions(inbox, INBOX_OPTIONS, at);
  return {
    store: assertOneOf(inbox.store ?? 'postgres', `${at}.store`, ['postgres', 'redis'] as const),
    retentionMs: assertDuration(
      inbox.retentionMs ?? 7 * DAY_MS,
      `${at}.retentionMs`,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    cleanupIntervalMs: assertDuration(inbox.cleanupIntervalMs ?? 3_600_000, `${at}.cleanupIntervalMs`, 1),
    redisUrl: assertNonEmptyString(inbox.redisUrl ?? 'redis://127.0.0.1:6379', `${at}.redisUrl`),
    redisPrefix: assertNonEmptyString(inbox.redisPrefix ?? 'databus:inbox:', `${at}.redisPrefix`),
    redisLeaseMs: assertDuration(inbox.redisLeaseMs ?? 60_000, `${at}.redisLeaseMs`, 1),
  };
}
