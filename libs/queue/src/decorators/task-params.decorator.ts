import { handlerParam } from '@databus/common/internal';
import { PipeTransform, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RPC_CONTEXT_PARAM, RPC_PAYLOAD_PARAM } from '../task-queue.constants';

type PipeLike = Type<PipeTransform> | PipeTransform;

/**
 * Injects the decoded payload, or one property of it (`@TaskPayload('id')`); pipes (e.g. `ValidationPipe`)
 * given here or globally apply.
 * @publicApi
 */
export function TaskPayload(propertyOrPipe?: string | PipeLike, ...pipes: PipeLike[]): ParameterDecorator {
  return handlerParam(ROUTE_ARGS_METADATA, RPC_PAYLOAD_PARAM, propertyOrPipe, pipes);
}

/** Injects the `TaskMessage` (properties, headers, attempt, explicit ack / retry / reject). @publicApi */
export function TaskContext(): ParameterDecorator {
  return handlerParam(ROUTE_ARGS_METADATA, RPC_CONTEXT_PARAM, undefined, []);
}
