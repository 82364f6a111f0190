import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { Ctx as NestCtx, Payload as NestPayload } from '@nestjs/microservices';
import { CONTEXT_PARAM, PAYLOAD_PARAM, Ctx, Payload } from './params.decorator';

describe('param decorators', () => {
  it('use the same parameter types as @nestjs/microservices, so either decorator works', () => {
    class Theirs {
      handle(@NestPayload() _p: unknown, @NestCtx() _c: unknown) {}
    }
    class Ours {
      handle(@Payload() _p: unknown, @Ctx() _c: unknown) {}
    }
    const theirs = Object.keys(Reflect.getMetadata(ROUTE_ARGS_METADATA, Theirs, 'handle')).map((k) =>
      Number(k.split(':')[0]),
    );
    const ours = Object.keys(Reflect.getMetadata(ROUTE_ARGS_METADATA, Ours, 'handle')).map((k) =>
      Number(k.split(':')[0]),
    );
    expect(theirs.sort()).toEqual([PAYLOAD_PARAM, CONTEXT_PARAM].sort());
    expect(ours.sort()).toEqual(theirs.sort());
  });
});
