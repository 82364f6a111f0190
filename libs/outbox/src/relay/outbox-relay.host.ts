import {
  Inject,
  Injectable,
  Logger,
  LoggerService,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { OutboxPool } from '../sql/outbox-pool';
import { OUTBOX_OPTIONS, OUTBOX_POOL } from '../outbox.constants';
import type { ResolvedOutboxOptions } from '../options/resolve-outbox-options';
import { assertOutboxSchema } from '../schema/migrate';
import { BrokerPublisher } from './outbox-publisher';
import { OutboxRelay } from './outbox-relay';
import { resolveBrokers } from './resolve-brokers';
import { DatabusDrain } from '@databus/common/internal';

/**
 * The module's lifecycle: checks the schema at init (a missing migration fails the bootstrap), starts the
 * relay once the application's `ChannelService` / `TaskQueue` exist, stops it first on shutdown, and ends the
 * pool the module opened itself.
 */
@Injectable()
export class OutboxRelayHost implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private relay?: OutboxRelay;
  private readonly logger?: LoggerService;

  constructor(
    @Inject(OUTBOX_OPTIONS) private readonly options: ResolvedOutboxOptions & { ownPool?: boolean },
    @Inject(OUTBOX_POOL) private readonly pool: OutboxPool,
    private readonly moduleRef: ModuleRef,
    drain: DatabusDrain,
  ) {
    this.logger = options.logger === false ? undefined : (options.logger ?? new Logger('Outbox'));
    drain.register(() => this.stop());
  }

  /** The running relay, when this instance relays. */
  get current(): OutboxRelay | undefined {
    return this.relay;
  }

  async onModuleInit(): Promise<void> {
    await assertOutboxSchema(this.pool, this.options.tables.schema);
  }

  onApplicationBootstrap(): void {
    if (!this.options.relay) return;
    const publisher = new BrokerPublisher(resolveBrokers(this.moduleRef));
    this.relay = new OutboxRelay(this.pool, this.options.tables, this.options.relay, publisher, this.logger);
    this.relay.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
    if (this.options.ownPool) await this.pool.end().catch(() => undefined);
  }

  private async stop(): Promise<void> {
    await this.relay?.stop();
  }
}
