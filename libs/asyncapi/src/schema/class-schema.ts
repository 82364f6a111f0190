import type { JsonSchema, PayloadClass } from './types';
import { loadClassTransformerTypes, loadValidationMetadata, PropertyRule } from './validation-metadata';

export type { JsonSchema, PayloadClass } from './types';

const metadata = Reflect as unknown as {
  getMetadata?(key: string, target: object, property?: string): unknown;
};

/**
 * Turns DTO classes into JSON Schemas, one per class, collected under their class names so nested DTOs are
 * written once and referenced (`#/components/schemas/<Name>`). Properties come from class-validator's
 * metadata when the class uses it (types, enums, bounds, lengths, optional), otherwise from TypeScript's
 * `design:type` of decorated properties; a class with neither gives an open object schema.
 */
export class SchemaRegistry {
  /** The schemas written so far, by component name. */
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly names = new Map<PayloadClass, string>();

  /** The `$ref` to the schema of `type`, writing it (and the DTOs it nests) on first use. */
  refFor(type: PayloadClass): JsonSchema {
    return { $ref: `#/components/schemas/${this.register(type)}` };
  }

  private register(type: PayloadClass): string {
    const known = this.names.get(type);
    if (known) return known;
    const name = this.uniqueName(type.name || 'Payload');
    this.names.set(type, name);
    this.schemas[name] = {}; // reserves the name: a DTO may nest itself
    this.schemas[name] = this.objectSchema(type);
    return name;
  }

  private uniqueName(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9._-]/g, '_');
    let name = clean;
    for (let n = 2; name in this.schemas; n++) name = `${clean}_${n}`;
    return name;
  }

  private objectSchema(type: PayloadClass): JsonSchema {
    const rules = loadValidationMetadata(type);
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const [property, propertyRules] of rules) {
      const designType = metadata.getMetadata?.('design:type', type.prototype as object, property);
      properties[property] = this.propertySchema(type, property, designType, propertyRules);
      if (!propertyRules.some((r) => r.name === 'isOptional')) required.push(property);
    }
    const schema: JsonSchema = { type: 'object', title: type.name || undefined, properties };
    if (required.length) schema.required = required;
    return schema;
  }

  private propertySchema(
    owner: PayloadClass,
    property: string,
    designType: unknown,
    rules: PropertyRule[],
  ): JsonSchema {
    const itemRules = rules.filter((r) => r.each);
    const own = rules.filter((r) => !r.each);
    const isArray = designType === Array || own.some((r) => r.name === 'isArray');
    if (isArray) {
      const itemType = loadClassTransformerTypes(owner, property);
      const items = itemType
        ? this.refFor(itemType)
        : applyRules({}, itemRules, undefined, (t) => this.refFor(t));
      return applyRules(
        { type: 'array', items },
        own.filter((r) => r.name !== 'isArray'),
        undefined,
        (t) => this.refFor(t),
      );
    }
    const nested = own.some((r) => r.name === 'nested')
      ? (loadClassTransformerTypes(owner, property) ?? designType)
      : undefined;
    if (typeof nested === 'function' && !PRIMITIVES.has(nested)) return this.refFor(nested as PayloadClass);
    return applyRules(primitiveSchema(designType), own, designType, (t) => this.refFor(t));
  }
}

const PRIMITIVES = new Set<unknown>([String, Number, Boolean, Date, Object, Array]);

function primitiveSchema(designType: unknown): JsonSchema {
  if (designType === String) return { type: 'string' };
  if (designType === Number) return { type: 'number' };
  if (designType === Boolean) return { type: 'boolean' };
  if (designType === Date) return { type: 'string', format: 'date-time' };
  return {};
}

/** String rules of class-validator → the JSON Schema `format` of the string. */
const STRING_FORMATS: Readonly<Record<string, string>> = {
  isDate: 'date-time',
  isIso8601: 'date-time',
  isDateString: 'date-time',
  isEmail: 'email',
  isUuid: 'uuid',
  isUrl: 'uri',
};

/** class-validator rule names → JSON Schema keywords. */
function applyRules(
  base: JsonSchema,
  rules: PropertyRule[],
  designType: unknown,
  refFor: (type: PayloadClass) => JsonSchema,
): JsonSchema {
  const schema: JsonSchema = { ...base };
  for (const { name, constraints } of rules) {
    const [first, second] = constraints;
    if (STRING_FORMATS[name]) {
      schema.type = 'string';
      schema.format = STRING_FORMATS[name];
      continue;
    }
    switch (name) {
      case 'isString':
        schema.type = 'string';
        break;
      case 'isInt':
        schema.type = 'integer';
        break;
      case 'isNumber':
        schema.type = 'number';
        break;
      case 'isBoolean':
        schema.type = 'boolean';
        break;
      case 'isIn':
        schema.enum = first as unknown[];
        break;
      case 'isEnum':
        schema.enum = (second as unknown[] | undefined) ?? Object.values(first as object);
        break;
      case 'min':
        schema.minimum = first;
        break;
      case 'max':
        schema.maximum = first;
        break;
      case 'isPositive':
        schema.exclusiveMinimum = 0;
        break;
      case 'isNegative':
        schema.exclusiveMaximum = 0;
        break;
      case 'minLength':
        schema.minLength = first;
        break;
      case 'maxLength':
        schema.maxLength = first;
        break;
      case 'isLength':
        schema.minLength = first;
        if (second !== undefined) schema.maxLength = second;
        break;
      case 'arrayMinSize':
        schema.minItems = first;
        break;
      case 'arrayMaxSize':
        schema.maxItems = first;
        break;
      case 'matches':
        if (first instanceof RegExp) schema.pattern = first.source;
        break;
      case 'isObject':
        schema.type = 'object';
        break;
      case 'nested':
        if (typeof designType === 'function' && !PRIMITIVES.has(designType))
          return refFor(designType as PayloadClass);
        break;
    }
  }
  return schema;
}
