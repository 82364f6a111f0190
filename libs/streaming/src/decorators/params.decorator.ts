import { handlerParam } from '@databus/common';
import { PipeTransform, Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';

/**
 * Parameter types shared with `@nestjs/microservices` (`RpcParamtype.PAYLOAD = 3`, `CONTEXT = 6`), so its
 * `@Payload()` and `@Ctx()` work on dataset handlers too. The enum is not exported by Nest's public barrel;
 * a unit test checks the numbers still match.
 */
export const PAYLOAD_PARAM = 3;
export const CONTEXT_PARAM = 6;

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
