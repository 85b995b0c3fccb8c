import { plainToInstance, TransformationType } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { getMetadataStorage, ValidationTypes, type ValidationArguments, type ValidatorConstraintInterface } from 'class-validator';

/**
 * A fast acceptance check for query DTOs, compiled once per class from class-validator's own metadata.
 *
 * class-validator looks up, filters and groups a class's metadata on every call, builds an error object
 * per property and awaits the lot; on the hot GET routes that was a tenth of the request's CPU. This
 * plan runs the same constraint instances with the same arguments, but only ever *accepts*: when a
 * query passes every check it returns the instance class-transformer built, as the ValidationPipe
 * would; when anything fails or looks unusual (a repeated key, a prototype key, an async rule) it
 * returns undefined and the ValidationPipe runs as before, so every 400 body comes from the one place.
 *
 * A class is compiled only when each of its rules is a plain synchronous constraint, a condition
 * (@IsOptional, @ValidateIf) or @IsDefined, without `each`, groups or per-rule conditions; any other
 * class (nested objects, @Allow, ...) always takes the ValidationPipe.
 */
export type QueryPlan = (query: unknown) => object | undefined;

interface Rule {
  instance: ValidatorConstraintInterface;
  constraints: unknown[];
}

interface PropertyPlan {
  name: string;
  conditions: ((object: object, value: unknown) => boolean)[];
  rules: Rule[];
}

type ValidationMetadata = ReturnType<ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas']>[number];

const plans = new WeakMap<object, QueryPlan | null>();
const PROTO_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/** The plan for a query DTO class, or null when its rules are not all of the simple kinds. */
export function queryPlanFor(metatype: new () => object): QueryPlan | null {
  let plan = plans.get(metatype);
  if (plan === undefined) {
    plan = compile(metatype);
    plans.set(metatype, plan);
  }
  return plan;
}

function compile(metatype: new () => object): QueryPlan | null {
  const storage = getMetadataStorage();
  // The arguments class-validator's executor uses with the pipe's options (no groups, always off).
  const metadatas = storage.getTargetValidationMetadatas(metatype, undefined as unknown as string, false, false, undefined);
  if (!metadatas.length) return null;
  const byProperty = new Map<string, PropertyPlan>();
  for (const metadata of metadatas) {
    if (!simple(metadata)) return null;
    let property = byProperty.get(metadata.propertyName);
    if (!property) byProperty.set(metadata.propertyName, (property = { name: metadata.propertyName, conditions: [], rules: [] }));
    if (metadata.type === ValidationTypes.CONDITIONAL_VALIDATION) {
      property.conditions.push(metadata.constraints[0] as (object: object, value: unknown) => boolean);
      continue;
    }
    const constraintMetadatas = storage.getTargetValidatorConstraints(metadata.constraintCls);
    if (!constraintMetadatas.length) return null;
    for (const constraint of constraintMetadatas) {
      if (constraint.async) return null;
      property.rules.push({ instance: constraint.instance, constraints: metadata.constraints });
    }
  }
  const properties = [...byProperty.values()];
  const targetName = metatype.name;
  const convert = compileConversion(metatype, [...byProperty.keys()]);

  return (query) => {
    if (query === null || typeof query !== 'object' || Array.isArray(query)) return undefined;
    for (const key in query) {
      if (PROTO_KEYS.has(key) || !byProperty.has(key)) return undefined;
      // A repeated key arrives as an array: let the ValidationPipe name it.
      if (typeof (query as Record<string, unknown>)[key] !== 'string') return undefined;
    }
    const entity = (convert ? convert(query as Record<string, string>) : plainToInstance(metatype, query)) as Record<string, unknown>;
    if (entity === null || typeof entity !== 'object' || entity.constructor !== metatype) return undefined;
    // The whitelist check, on what class-transformer built, as class-validator does it.
    for (const key of Object.keys(entity)) if (!byProperty.has(key)) return undefined;
    for (const property of properties) {
      const value = entity[property.name];
      let applies = true;
      for (const condition of property.conditions) applies = condition(entity, value) && applies;
      if (!applies) continue;
      for (const rule of property.rules) {
        const args: ValidationArguments = { targetName, property: property.name, object: entity, value, constraints: rule.constraints };
        if (rule.instance.validate(value, args) !== true) return undefined;
      }
    }
    return entity;
  };
}

function simple(metadata: ValidationMetadata): boolean {
  const kinds: string[] = [ValidationTypes.CUSTOM_VALIDATION, ValidationTypes.CONDITIONAL_VALIDATION, ValidationTypes.IS_DEFINED];
  if (!kinds.includes(metadata.type)) return false;
  if (metadata.each || metadata.always || metadata.groups?.length) return false;
  if ((metadata as { validateIf?: unknown }).validateIf) return false;
  return true;
}

type Conversion = (query: Record<string, string>) => object;

/**
 * What class-transformer's plainToInstance does with a query of strings, compiled once per class: a new
 * instance, each key converted by its @Type (Number only) and then its @Transform functions, in the
 * query's key order. Returns null (plainToInstance runs per call) for any class with something else:
 * @Expose/@Exclude, another @Type, versioned or grouped transforms, accessors. test/unit/query-plan.spec.ts
 * compares it with plainToInstance on every query DTO of the app.
 */
export function compileConversion(metatype: new () => object, names: string[]): Conversion | null {
  if (defaultMetadataStorage.getExposedMetadatas(metatype).length || defaultMetadataStorage.getExcludedMetadatas(metatype).length) return null;
  const steps = new Map<string, ((value: unknown, key: string, query: object) => unknown)[]>();
  for (const name of names) {
    if (Object.getOwnPropertyDescriptor(metatype.prototype, name) || name in Object.prototype) return null;
    const chain: ((value: unknown, key: string, query: object) => unknown)[] = [];
    const type = defaultMetadataStorage.findTypeMetadata(metatype, name);
    if (type) {
      if (type.options?.discriminator || type.typeFunction() !== Number) return null;
      chain.push((value) => (value === null || value === undefined ? value : Number(value)));
    }
    for (const transform of defaultMetadataStorage.findTransformMetadatas(metatype, name, TransformationType.PLAIN_TO_CLASS)) {
      const options = transform.options ?? {};
      if (options.groups?.length || options.since !== undefined || options.until !== undefined) return null;
      chain.push((value, key, query) => transform.transformFn({ value, key, obj: query, type: TransformationType.PLAIN_TO_CLASS, options: {} }));
    }
    steps.set(name, chain);
  }
  return (query) => {
    const entity = new metatype() as Record<string, unknown>;
    for (const key in query) {
      let value: unknown = query[key];
      for (const step of steps.get(key) ?? []) value = step(value, key, query);
      entity[key] = value;
    }
    return entity;
  };
}
