import type { ModuleRef } from '@nestjs/core';
import type { OutboxBrokers } from './outbox-publisher';

/**
 * Finds the application's `ChannelService` and `TaskQueue` (default connections), when their libs are
 * installed and their modules imported. Both libs are optional peers, so they are loaded here, lazily.
 */
export function resolveBrokers(moduleRef: ModuleRef): OutboxBrokers {
  return {
    channel: find(moduleRef, () => require('@databus/streaming').ChannelService),
    taskQueue: find(moduleRef, () => require('@databus/queue').TaskQueue),
  };
}

function find<T>(moduleRef: ModuleRef, token: () => unknown): T | undefined {
  let type: unknown;
  try {
    type = token();
  } catch {
    return undefined; // the lib is not installed
  }
  try {
    return moduleRef.get(type as never, { strict: false }) as T;
  } catch {
    return undefined; // its module is not imported
  }
}
