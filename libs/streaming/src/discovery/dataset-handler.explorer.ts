import { Injectable } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper';
import { ConfigurationError } from '@databus/common';
import { DatasetHandler, DatasetHandlerMetadata } from '../decorators/on-dataset-message.decorator';
import { assertDatasetName } from '../transport/dataset-name';
import { DatasetPatternMatcher, isDatasetPattern, parseDatasetPattern } from '../transport/dataset-pattern';

/** A discovered `@OnDatasetMessage` method, once per dataset it consumes. */
export interface DiscoveredHandler {
  /** `Class.method`, or `Class.method[dataset]` for a method given several datasets. */
  id: string;
  /** The one dataset this entry consumes (a pattern's text for a pattern). */
  dataset: string;
  /** `@OnDatasetMessage({ pattern })`: the datasets it matches when the handler starts. */
  pattern?: DatasetPatternMatcher;
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
        const className = instance.constructor?.name ?? 'Anonymous';
        const where = `@OnDatasetMessage on ${className}.${methodKey}`;
        const pattern = isDatasetPattern(meta.dataset)
          ? parseDatasetPattern(meta.dataset, `${where}: pattern`)
          : undefined;
        const datasets = pattern ? [pattern.text] : datasetList(meta.dataset as string | string[], where);
        const several = Array.isArray(meta.dataset);
        for (const dataset of datasets)
          found.push({
            id: several ? `${className}.${methodKey}[${dataset}]` : `${className}.${methodKey}`,
            dataset,
            pattern,
            instance,
            method,
            methodKey,
            className,
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

/** The datasets of `@OnDatasetMessage(dataset | datasets)`: a name, or a non-empty list of distinct names. */
function datasetList(given: string | readonly string[], where: string): string[] {
  if (!Array.isArray(given)) return [given as string];
  if (given.length === 0)
    throw new ConfigurationError(`${where}: datasets`, 'a non-empty list of dataset names');
  const seen = new Set<string>();
  for (const [i, name] of given.entries()) {
    assertDatasetName(name, `${where}: datasets[${i}]`);
    if (seen.has(name))
      throw new ConfigurationError(`${where}: datasets[${i}]`, 'a dataset not already in the list', {
        received: JSON.stringify(name),
      });
    seen.add(name);
  }
  return [...seen];
}
