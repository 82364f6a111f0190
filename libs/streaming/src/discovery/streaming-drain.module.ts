import { Injectable, Module, OnModuleDestroy } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ShutdownDrain } from '@databus/common/internal';

/**
 * Drains every connection's `@OnDatasetMessage` handlers in the first `onModuleDestroy` Nest runs, before any
 * user provider's own (see `ShutdownDrain` in `@databus/common` for the order and why).
 */
@Injectable()
export class StreamingDrain extends ShutdownDrain implements OnModuleDestroy {
  constructor(modules: ModulesContainer) {
    super(modules.values(), StreamingDrainModule);
  }

  onModuleDestroy(): Promise<void> {
    return this.run();
  }
}

/** Holds the {@link StreamingDrain} of the application (one for every `StreamingModule` instance). */
@Module({ providers: [StreamingDrain], exports: [StreamingDrain] })
export class StreamingDrainModule {}
