/** The part of reflect-metadata this uses (Nest loads it). */
interface MetadataApi {
  getMetadata(key: string, target: object, property: string | symbol): unknown;
  defineMetadata(key: string, value: unknown, target: object, property: string | symbol): void;
}

/**
 * A parameter decorator that records its parameter the way Nest's `@Payload()` / `@Ctx()` do (same metadata
 * key and shape), so Nest's own decorators and ours work on handlers alike and pipes apply. `routeArgsKey` is
 * `ROUTE_ARGS_METADATA` of `@nestjs/common/constants`, `type` the parameter type; `propertyOrPipe` is the
 * property of the payload to inject (a string) or the first pipe.
 */
export function handlerParam(
  routeArgsKey: string,
  type: number,
  propertyOrPipe: unknown,
  pipes: readonly unknown[],
): ParameterDecorator {
  const named = typeof propertyOrPipe === 'string' || propertyOrPipe === undefined;
  const data = named ? (propertyOrPipe as string | undefined) : undefined;
  const allPipes = named ? [...pipes] : [propertyOrPipe, ...pipes];
  return (target, key, index) => {
    if (key === undefined) return;
    const metadata = Reflect as unknown as MetadataApi;
    const args = (metadata.getMetadata(routeArgsKey, target.constructor, key) ?? {}) as object;
    metadata.defineMetadata(
      routeArgsKey,
      { ...args, [`${type}:${index}`]: { index, data, pipes: allPipes } },
      target.constructor,
      key,
    );
  };
}
