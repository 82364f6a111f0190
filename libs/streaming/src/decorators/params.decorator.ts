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

function paramDecorator(type: number, data: string | undefined, pipes: PipeLike[]): ParameterDecorator {
  return (target, key, index) => {
    if (key === undefined) return;
    const existing = Reflect.getMetadata(ROUTE_ARGS_METADATA, target.constructor, key) ?? {};
    Reflect.defineMetadata(
      ROUTE_ARGS_METADATA,
      { ...existing, [`${type}:${index}`]: { index, data, pipes } },
      target.constructor,
      key,
    );
  };
}

/**
 * The decoded message body (or one property of it, `@Payload('sensor')`), passed through `pipes` such as
 * `ValidationPipe`. @publicApi
 */
export function Payload(propertyOrPipe?: string | PipeLike, ...pipes: PipeLike[]): ParameterDecorator {
  if (typeof propertyOrPipe === 'string' || propertyOrPipe === undefined)
    return paramDecorator(PAYLOAD_PARAM, propertyOrPipe, pipes);
  return paramDecorator(PAYLOAD_PARAM, undefined, [propertyOrPipe, ...pipes]);
}

/** The `DatasetMessage` being handled (key, headers, sequence, timestamp, `ack()`). @publicApi */
export function Ctx(): ParameterDecorator {
  return paramDecorator(CONTEXT_PARAM, undefined, []);
}
