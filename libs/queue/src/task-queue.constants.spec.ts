import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { Ctx, Payload } from '@nestjs/microservices';
import { TaskContext, TaskPayload } from './decorators';
import { RPC_CONTEXT_PARAM, RPC_PAYLOAD_PARAM } from './task-queue.constants';

describe('parameter types shared with @nestjs/microservices', () => {
  it("still match what Nest's @Payload() and @Ctx() record (RpcParamtype.PAYLOAD = 3, CONTEXT = 6)", () => {
    class Handler {
      nest(@Payload('id') _payload: unknown, @Ctx() _context: unknown): void {}
      ours(@TaskPayload('id') _payload: unknown, @TaskContext() _context: unknown): void {}
    }
    const nest = Reflect.getMetadata(ROUTE_ARGS_METADATA, Handler, 'nest');
    const ours = Reflect.getMetadata(ROUTE_ARGS_METADATA, Handler, 'ours');
    expect(Object.keys(nest).sort()).toEqual([`${RPC_PAYLOAD_PARAM}:0`, `${RPC_CONTEXT_PARAM}:1`].sort());
    expect(Object.keys(ours).sort()).toEqual(Object.keys(nest).sort());
    expect(ours[`${RPC_PAYLOAD_PARAM}:0`]).toMatchObject({ index: 0, data: 'id', pipes: [] });
  });
});
