import { Inject } from '@nestjs/common';
import { DEFAULT_JWT_SOURCE } from './auth.constants';
import { JwtManager } from './jwt-manager';

/**
 * The injection token of the `JwtManager` of source `name`: the `JwtManager` class itself for the default
 * source (so plain constructor injection works), a namespaced string for named ones.
 * @publicApi
 */
export function getJwtManagerToken(name: string = DEFAULT_JWT_SOURCE): string | typeof JwtManager {
  return name === DEFAULT_JWT_SOURCE ? JwtManager : `databus:auth:jwt-manager:${name}`;
}

/**
 * Injects the `JwtManager` of a named token source: `constructor(@InjectJwtManager('gateway') jwt: JwtManager)`.
 * Without a name, the default source.
 * @publicApi
 */
export function InjectJwtManager(name?: string): ParameterDecorator & PropertyDecorator {
  return Inject(getJwtManagerToken(name));
}
