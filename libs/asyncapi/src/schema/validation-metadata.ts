import type { PayloadClass } from './types';

/** One class-validator rule on a property, reduced to what a schema needs. */
export interface PropertyRule {
  /** The validator's name (`isString`, `min`, …), `nested` for `@ValidateNested`, `isOptional`. */
  name: string;
  constraints: unknown[];
  /** `{ each: true }`: the rule applies to each item of an array. */
  each: boolean;
}

interface ValidationMetadataLike {
  type: string;
  name?: string;
  propertyName: string;
  constraints?: unknown[];
  each?: boolean;
}

interface ClassValidatorLike {
  getMetadataStorage(): {
    getTargetValidationMetadatas(
      target: PayloadClass,
      schema: string,
      always: boolean,
      strictGroups: boolean,
    ): ValidationMetadataLike[];
  };
}

interface TypeStorageLike {
  findTypeMetadata(target: PayloadClass, property: string): { typeFunction(): unknown } | undefined;
}

/** An optional peer, loaded when the app has it (the DTOs of an app without it carry no rules). */
function optional<T>(id: string): T | undefined {
  try {
    return require(id) as T;
  } catch {
    return undefined;
  }
}

/** The class-validator rules of `type`, by property, in declaration order; empty without class-validator. */
export function loadValidationMetadata(type: PayloadClass): Map<string, PropertyRule[]> {
  const rules = new Map<string, PropertyRule[]>();
  const validator = optional<ClassValidatorLike>('class-validator');
  if (!validator) return rules;
  const all = validator.getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  for (const meta of all) {
    const name = meta.type === 'nestedValidation' ? 'nested' : meta.name;
    if (!name) continue;
    const list = rules.get(meta.propertyName) ?? [];
    list.push({ name, constraints: meta.constraints ?? [], each: meta.each === true });
    rules.set(meta.propertyName, list);
  }
  return rules;
}

/** The class given by class-transformer's `@Type(() => Item)` on `property`, when the app uses it. */
export function loadClassTransformerTypes(owner: PayloadClass, property: string): PayloadClass | undefined {
  const storage = optional<{ defaultMetadataStorage?: TypeStorageLike }>('class-transformer/cjs/storage');
  const found = storage?.defaultMetadataStorage?.findTypeMetadata(owner, property)?.typeFunction();
  return typeof found === 'function' ? (found as PayloadClass) : undefined;
}
