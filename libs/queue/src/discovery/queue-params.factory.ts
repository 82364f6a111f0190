import { Injectable } from '@nestjs/common';
import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core/helpers/external-context-creator';
import { RPC_CONTEXT_PARAM, RPC_PAYLOAD_PARAM } from '../task-queue.constants';

/**
 * Resolves handler parameters from the invocation arguments `[payload, message]`: type 3 (`@TaskPayload()`
 * / `@Payload()`) is the payload or one of its properties, type 6 (`@TaskContext()` / `@Ctx()`) the message.
 */
@Injectable()
export class QueueParamsFactory implements ParamsFactory {
  exchangeKeyForValue(type: number, data: ParamData, args: unknown[]): unknown {
    if (type === RPC_PAYLOAD_PARAM) {
      const payload = args[0];
      return typeof data === 'string' && payload !== null && typeof payload === 'object'
        ? (payload as Record<string, unknown>)[data]
        : payload;
    }
    if (type === RPC_CONTEXT_PARAM) return args[1];
    return undefined;
  }
}
