import { IDEMPOTENCY_STORE } from '@databus/common';
import { Module } from '@nestjs/common';
import { Pool } from 'pg';
import { OUTBOX_OPTIONS, OUTBOX_POOL } from './outbox.constants';
import { OutboxConfigurableModule, OUTBOX_MODULE_OPTIONS } from './outbox.module-definition';
import type { OutboxModuleOptions } from './options/outbox-options.interface';
import { resolveOutboxOptions, ResolvedOutboxOptions } from './options/resolve-outbox-options';
import { OutboxService } from './outbox/outbox.service';
import type { OutboxPool } from './sql/outbox-pool';
import { OutboxRelayHost } from './relay/outbox-relay.host';
import { InboxHost } from './inbox/inbox.host';
import { DatabusDrainModule } from '@databus/common/internal';

/**
 * The transactional outbox on PostgreSQL: `OutboxService` writes messages in the caller's transaction, and
 * (unless `relay: false`) a relay publishes the committed rows through the application's `ChannelService`
 * and `TaskQueue`. The tables come from the shipped migration (`npx databus-outbox migrate --url …`); a
 * missing migration fails the bootstrap with a `ConfigurationError` naming that command.
 *
 * It also provides the idempotency store of `idempotent: true` handlers (`IDEMPOTENCY_STORE`): the
 * `databus_inbox` table, written in the handler's transaction (`@InboxTransaction()`), or Redis.
 *
 * `OutboxModule.forRoot({ pool })`, or `forRootAsync({ imports, inject, useFactory })`; extra: `isGlobal`.
 * @publicApi
 */
@Module({
  imports: [DatabusDrainModule],
  providers: [
    {
      provide: OUTBOX_OPTIONS,
      inject: [OUTBOX_MODULE_OPTIONS],
      useFactory: (options: OutboxModuleOptions): ResolvedOutboxOptions & { ownPool: boolean } => ({
        ...resolveOutboxOptions(options ?? {}),
        ownPool: !options.pool,
      }),
    },
    {
      provide: OUTBOX_POOL,
      inject: [OUTBOX_MODULE_OPTIONS, OUTBOX_OPTIONS],
      useFactory: (options: OutboxModuleOptions): OutboxPool =>
        options.pool ?? new Pool({ connectionString: options.connectionString }),
    },
    OutboxService,
    OutboxRelayHost,
    InboxHost,
    { provide: IDEMPOTENCY_STORE, inject: [InboxHost], useFactory: (host: InboxHost) => host.store },
  ],
  exports: [OutboxService, OUTBOX_POOL, IDEMPOTENCY_STORE],
})
export class OutboxModule extends OutboxConfigurableModule {}
