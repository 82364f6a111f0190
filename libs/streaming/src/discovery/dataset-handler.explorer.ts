import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { ConfigurationError } from '@databus/common';
import { DatasetHandler, DatasetHandlerMetadata } from '../decorators/on-dataset-message.decorator';

/** A discovered `@OnDatasetMessage` method. */
export interface DiscoveredHandler {
  instance: object;
  /** The unbound method, as found on the prototype. */
  method: (...args: unknown[]) => unknown;
  methodKey: string;
  className: string;
  meta: DatasetHandlerMetadata;
  /** Key of the module declaring a controller (Nest finds providers' modules itself, not controllers'). */
  controllerModuleKey?: string;
}

/**
 * Finds `@OnDatasetMessage` methods on resolved controller and provider instances (so `useValue` and
 * `useFactory` providers are found too) that belong to the connection `connection`.
 */
@Injectable()
export class DatasetHandlerExplorer {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  explore(connection: string | undefined): DiscoveredHandler[] {
    const found: DiscoveredHandler[] = [];
    const seen = new Set<object>();
    const controllers = new Set(this.discovery.getControllers());
    for (const wrapper of [...controllers, ...this.discovery.getProviders()]) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || typeof instance !== 'object' || seen.has(instance)) continue;
      seen.add(instance);
      const proto = Object.getPrototypeOf(instance);
      if (!proto || proto === Object.prototype) continue;
      for (const methodKey of this.scanner.getAllMethodNames(proto)) {
        const method = proto[methodKey];
        const meta = this.reflector.get(DatasetHandler, method);
        if (!meta) continue;
        if ((meta.options.connection ?? undefined) !== (connection ?? undefined)) continue;
        this.assertStatic(wrapper, methodKey);
        found.push({
          instance,
          method,
          methodKey,
          className: instance.constructor?.name ?? 'Anonymous',
          meta,
          controllerModuleKey: controllers.has(wrapper) ? wrapper.host?.token : undefined,
        });
      }
    }
    return found;
  }

  private assertStatic(wrapper: InstanceWrapper, methodKey: string): void {
    if (!wrapper.isDependencyTreeStatic())
      throw new ConfigurationError(
        `@OnDatasetMessage on ${wrapper.name?.toString()}.${methodKey}`,
        'a method of a singleton provider or controller (request-scoped or transient classes cannot consume datasets)',
      );
  }
}
