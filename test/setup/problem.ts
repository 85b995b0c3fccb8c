import { expect } from '@jest/globals';
import type { Response } from 'supertest';

/** Asserts an RFC 9457 problem response with Calento's stable code, and (optionally) the bad fields. */
export function expectProblem(response: Response, status: number, code: string, fields?: string[]): void {
  expect({ status: response.status, code: response.body?.code }).toEqual({ status, code });
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: `urn:calento:error:${code}`, status, title: expect.any(String) });
  expect(typeof response.body.detail).toBe('string');
  expect(response.body.requestId).toBe(response.headers['x-request-id']);
  if (fields) {
    const named = (response.body.errors ?? []).map((error: { field: string }) => error.field);
    for (const field of fields) expect(named).toContain(field);
  }
}
