import { plainToInstance } from 'class-transformer';
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

  return (query) => {
    if (query === null || typeof query !== 'object' || Array.isArray(query)) return undefined;
    for (const key in query) {
      if (PROTO_KEYS.has(key) || !byProperty.has(key)) return undefined;
      // A repeated key arrives as an array: let the ValidationPipe name it.
      if (typeof (query as Record<string, unknown>)[key] !== 'string') return undefined;
    }
    const entity = plainToInstance(metatype, query) as Record<string, unknown>;
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
