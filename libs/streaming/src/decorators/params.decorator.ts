import { CONTEXT_PARAM, handlerParam, PAYLOAD_PARAM } from '@databus/common/internal';
import { PipeTransform, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';

/** Parameter types shared with `@nestjs/microservices`, so its `@Payload()` and `@Ctx()` work on dataset handlers too. */
export { CONTEXT_PARAM, PAYLOAD_PARAM };

type PipeLike = Type<PipeTransform> | PipeTransform;

/**
 * The decoded message body (or one property of it, `@Payload('sensor')`), passed through `pipes` such as
 * `ValidationPipe`. @publicApi
 */
export function Payload(propertyOrPipe?: string | PipeLike, ...pipes: PipeLike[]): ParameterDecorator {
  return handlerParam(ROUTE_ARGS_METADATA, PAYLOAD_PARAM, propertyOrPipe, pipes);
}

/** The `DatasetMessage` being handled (key, headers, sequence, timestamp, `ack()`). @publicApi */
export function Ctx(): ParameterDecorator {
  return handlerParam(ROUTE_ARGS_METADATA, CONTEXT_PARAM, undefined, []);
}
