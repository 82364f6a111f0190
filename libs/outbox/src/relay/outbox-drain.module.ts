import { Injectable, Module, OnModuleDestroy } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ShutdownDrain } from '@databus/common/internal';

/**
 * Stops the relay (and the inbox cleanup) in the first `onModuleDestroy` Nest runs, before any user provider
 * closes the database pool or a broker connection it publishes on (see `ShutdownDrain` in `@databus/common`).
 */
@Injectable()
export class OutboxDrain extends ShutdownDrain implements OnModuleDestroy {
  constructor(modules: ModulesContainer) {
    super(modules.values(), OutboxDrainModule);
  }

  onModuleDestroy(): Promise<void> {
    return this.run();
  }
}

/** Holds the application's {@link OutboxDrain}. */
@Module({ providers: [OutboxDrain], exports: [OutboxDrain] })
export class OutboxDrainModule {}
