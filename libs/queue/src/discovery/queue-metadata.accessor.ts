import { Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { QueueHandler, QueueHandlerMetadata } from '../decorators/task-handler.decorator';

/** Reads the metadata of `@TaskHandler` / `@EventSubscriber`; the explorer never touches Reflect itself. */
@Injectable()
export class QueueMetadataAccessor {
  constructor(private readonly reflector: Reflector) {}

  getHandler(target: unknown): QueueHandlerMetadata | undefined {
    return typeof target === 'function' ? this.reflector.get(QueueHandler, target) : undefined;
  }
}
