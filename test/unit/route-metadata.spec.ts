import { describe, expect, it } from '@jest/globals';
import { SetMetadata, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { routeMetadata } from '../../src/common/http/route-metadata.js';

const FLAG = 'test:flag';

class Base {
  shared(): void {}
  @SetMetadata(FLAG, 'handler')
  own(): void {}
}
@SetMetadata(FLAG, 'open')
class Open extends Base {}
class Closed extends Base {}

const contextOf = (type: object, handler: (...args: never[]) => unknown) =>
  ({ getHandler: () => handler, getClass: () => type }) as unknown as ExecutionContext;

describe('routeMetadata', () => {
  const reflector = new Reflector();

  it('answers what getAllAndOverride answers: the handler first, then its class', () => {
    for (const [type, handler] of [[Open, Base.prototype.shared], [Closed, Base.prototype.shared], [Open, Base.prototype.own], [Closed, Base.prototype.own]] as const) {
      const expected = reflector.getAllAndOverride(FLAG, [handler, type]);
      expect(routeMetadata(reflector, FLAG, contextOf(type, handler))).toBe(expected);
      expect(routeMetadata(reflector, FLAG, contextOf(type, handler))).toBe(expected); // from the cache
    }
  });

  it('keeps one inherited handler apart under two classes', () => {
    expect(routeMetadata(reflector, FLAG, contextOf(Open, Base.prototype.shared))).toBe('open');
    expect(routeMetadata(reflector, FLAG, contextOf(Closed, Base.prototype.shared))).toBeUndefined();
    expect(routeMetadata(reflector, FLAG, contextOf(Closed, Base.prototype.own))).toBe('handler');
  });
});
