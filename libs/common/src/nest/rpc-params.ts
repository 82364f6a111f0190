/**
 * Nest's metadata key of parameter decorators (`ROUTE_ARGS_METADATA` of `@nestjs/common/constants`),
 * mirrored so that this layer needs no Nest import.
 */
export const ROUTE_ARGS_METADATA = '__routeArguments__';

/**
 * Nest's RPC parameter types (`RpcParamtype.PAYLOAD = 3`, `CONTEXT = 6` of `@nestjs/microservices`), mirrored
 * because the enum is not exported by Nest's public barrel: `@Payload()` / `@TaskPayload()` record the message
 * body under `PAYLOAD_PARAM`, `@Ctx()` / `@TaskContext()` the message under `CONTEXT_PARAM`, so Nest's own
 * decorators work on databus handlers too. Unit tests of both libs check that Nest still writes these numbers.
 */
export const PAYLOAD_PARAM = 3;
export const CONTEXT_PARAM = 6;
