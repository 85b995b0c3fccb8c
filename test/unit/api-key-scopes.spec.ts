import { describe, expect, it } from '@jest/globals';
import { API_KEY_SCOPES, requiredScope, scopeAllows } from '../../src/modules/auth/passport/api-key-scopes.js';

describe('API key scopes', () => {
  it.each([
    ['/api/v1/events', 'GET', 'events:read'],
    ['/api/v1/events/:id', 'HEAD', 'events:read'],
    ['/api/v1/events/:id', 'PATCH', 'events:write'],
    ['/api/v1/calendar/import', 'POST', 'events:write'],
    ['/api/v1/tags/:id', 'DELETE', 'events:write'],
    ['/api/v1/booking-links', 'GET', 'bookings:read'],
    ['/api/v1/bookings/:id/cancel', 'POST', 'bookings:write'],
    ['/api/v1/availability/exceptions', 'PUT', 'availability:write'],
    ['/api/v1/oauth/:id/authorize', 'POST', 'clients:write'],
    ['/api/v1/webhooks/:id/deliveries', 'GET', 'webhooks:read'],
    ['/api/v1/notifications/emails', 'GET', 'users:read'],
    ['/api/v1/users/me', 'DELETE', 'users:write'],
    ['/api/v1/api-keys', 'GET', 'api-keys:read'],
    ['/api/v1/jobs/metrics', 'GET', 'jobs:read'],
  ])('%s %s needs %s', (route, method, scope) => {
    expect(requiredScope(route, method)).toBe(scope);
  });

  it('grants no scope over key management or operations', () => {
    expect(API_KEY_SCOPES.some((scope) => scope.startsWith('api-keys:') || scope.startsWith('jobs:'))).toBe(false);
  });

  it('area:* covers read and write of that area only; write does not imply read', () => {
    expect(scopeAllows(['events:*'], 'events:read')).toBe(true);
    expect(scopeAllows(['events:*'], 'events:write')).toBe(true);
    expect(scopeAllows(['events:*'], 'bookings:read')).toBe(false);
    expect(scopeAllows(['events:write'], 'events:read')).toBe(false);
    expect(scopeAllows(['events:read'], 'events:read')).toBe(true);
    expect(scopeAllows([], 'events:read')).toBe(false);
  });
});
