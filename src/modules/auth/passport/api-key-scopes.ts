/**
 * API-key scopes: `<area>:read` (GET, HEAD), `<area>:write` (everything else), `<area>:*` (both).
 * A route's area is the first segment of its path under /api/v1, folded onto the areas below, so a new
 * controller is covered without anyone remembering to decorate it; a segment that is no grantable area
 * (api-keys, jobs) can never be reached with a key: a key cannot mint keys or read operations.
 */
export const API_KEY_AREAS = ['events', 'bookings', 'availability', 'clients', 'webhooks', 'users'] as const;
export type ApiKeyArea = (typeof API_KEY_AREAS)[number];

export const API_KEY_SCOPES: readonly string[] = API_KEY_AREAS.flatMap((area) => [`${area}:read`, `${area}:write`, `${area}:*`]);

const areaOfSegment: Record<string, ApiKeyArea> = {
  events: 'events',
  calendar: 'events',
  tags: 'events',
  bookings: 'bookings',
  'booking-links': 'bookings',
  availability: 'availability',
  clients: 'clients',
  oauth: 'clients',
  webhooks: 'webhooks',
  users: 'users',
  notifications: 'users',
};

const PREFIX = /^\/api\/v1\//;

/** The scope a request needs, from its route pattern (e.g. `/api/v1/events/:id`) and method. */
export function requiredScope(routePattern: string, method: string): string {
  const segment = routePattern.replace(PREFIX, '').split('/')[0] || 'root';
  const area = areaOfSegment[segment] ?? segment;
  return `${area}:${method === 'GET' || method === 'HEAD' ? 'read' : 'write'}`;
}

export function scopeAllows(granted: readonly string[], required: string): boolean {
  if (granted.includes(required)) return true;
  const area = required.slice(0, required.indexOf(':'));
  return granted.includes(`${area}:*`);
}
