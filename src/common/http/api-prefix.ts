/** Every API route lives under this prefix (health probes, the web app and Swagger UI do not). */
export const API_PREFIX = 'api/v1';

/** The path of an API route: `apiPath('events', id)` is `/api/v1/events/<id>`. */
export function apiPath(...segments: string[]): string {
  return `/${API_PREFIX}/${segments.map(encodeURIComponent).join('/')}`;
}
