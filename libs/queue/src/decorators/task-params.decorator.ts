import { PipeTransform, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RPC_CONTEXT_PARAM, RPC_PAYLOAD_PARAM } from '../task-queue.constants';

type PipeLike = Type<PipeTransform> | PipeTransform;

/**
 * Records a handler parameter the way Nest's `@Payload()` / `@Ctx()` do (same metadata key and types), so
 * both sets of decorators work on queue handlers and pipes apply to them.
 */
function recordParam(type: number, data: string | undefined, pipes: PipeLike[]): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) return;
    const args = Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) ?? {};
    Reflect.defineMetadata(
      ROUTE_ARGS_METADATA,
      { ...args, [`${type}:${index}`]: { index, data, pipes } },
      target.constructor,
      key,
    );
  };
}

/**
 * Injects the decoded payload, or one property of it (`@TaskPayload('id')`); pipes (e.g. `ValidationPipe`)
 * given here or globally apply.
 * @publicApi
 */
export function TaskPayload(propertyOrPipe?: string | PipeLike, ...pipes: PipeLike[]): ParameterDecorator {
  return typeof propertyOrPipe === 'string' || propertyOrPipe === undefined
    ? recordParam(RPC_PAYLOAD_PARAM, propertyOrPipe, pipes)
    : recordParam(RPC_PAYLOAD_PARAM, undefined, [propertyOrPipe, ...pipes]);
}

/** Injects the `TaskMessage` (properties, headers, attempt, explicit ack / retry / reject). @publicApi */
export function TaskContext(): ParameterDecorator {
  return recordParam(RPC_CONTEXT_PARAM, undefined, []);
}
