import { Injectable, Module, OnModuleDestroy } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import { ShutdownDrain } from '@databus/common/internal';

/**
 * Drains every connection's `@TaskHandler` / `@EventSubscriber` handlers in the first `onModuleDestroy` Nest
 * runs, before any user provider's own (see `ShutdownDrain` in `@databus/common` for the order and why).
 */
@Injectable()
export class TaskQueueDrain extends ShutdownDrain implements OnModuleDestroy {
  constructor(modules: ModulesContainer) {
    super(modules.values(), TaskQueueDrainModule);
  }

  onModuleDestroy(): Promise<void> {
    return this.run();
  }
}

/** Holds the {@link TaskQueueDrain} of the application (one for every `TaskQueueModule` instance). */
@Module({ providers: [TaskQueueDrain], exports: [TaskQueueDrain] })
export class TaskQueueDrainModule {}
