import { Injectable, Module, OnModuleDestroy } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ShutdownDrain } from './shutdown-drain';

/**
 * The application's one {@link ShutdownDrain}, shared by every databus lib (the streaming handlers, the task
 * queue's handlers, the outbox relay and inbox cleanup all register their drain here): it runs them all at
 * once in the first `onModuleDestroy` Nest calls, before any user provider's own. This file is the only one of
 * `@databus/common` that loads Nest (`@nestjs/common`, `@nestjs/core`: optional peers), and only through
 * `@databus/common/internal`.
 */
@Injectable()
export class DatabusDrain extends ShutdownDrain implements OnModuleDestroy {
  constructor(modules: ModulesContainer) {
    super(modules.values(), DatabusDrainModule);
  }

  onModuleDestroy(): Promise<void> {
    return this.run();
  }
}

/** Holds the {@link DatabusDrain}; imported by `StreamingModule`, `TaskQueueModule` and `OutboxModule`. */
@Module({ providers: [DatabusDrain], exports: [DatabusDrain] })
export class DatabusDrainModule {}
