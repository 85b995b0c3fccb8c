import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';

type Handler = (...args: never[]) => unknown;
const cache = new WeakMap<Handler, WeakMap<object, Map<string, unknown>>>();

/**
 * `reflector.getAllAndOverride(key, [handler, class])`, read once per route: decorators cannot change
 * while the app runs, and the global guards ask on every request. Keyed by handler and class, because a
 * handler inherited from a base controller can sit under two classes with different decorators.
 */
export function routeMetadata<T>(reflector: Reflector, key: string, context: ExecutionContext): T | undefined {
  const handler = context.getHandler() as Handler;
  const type = context.getClass();
  let byClass = cache.get(handler);
  if (!byClass) cache.set(handler, (byClass = new WeakMap()));
  let values = byClass.get(type);
  if (!values) byClass.set(type, (values = new Map()));
  if (!values.has(key)) values.set(key, reflector.getAllAndOverride<T>(key, [handler, type]));
  return values.get(key) as T | undefined;
}
