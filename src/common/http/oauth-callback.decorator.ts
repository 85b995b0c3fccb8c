import { applyDecorators, Get, Header, Redirect } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator.js';
import { RateLimit } from '../rate-limit/rate-limit.js';
import { ApiProblems } from './api-problems.decorator.js';

/**
 * `GET <controller>/callback`: where a provider (Google, Slack) sends the browser back after consent. Public,
 * rate limited, never cached, answered with a 302 to the frontend carrying the outcome; the handler
 * returns `{ url, statusCode }`. A request without any state is a 400.
 */
export function OAuthCallbackRoute(provider: string, description: string) {
  return applyDecorators(
    Public(),
    RateLimit('public'),
    Get('callback'),
    Redirect(),
    Header('cache-control', 'no-store'),
    ApiOperation({ summary: `${provider}'s redirect after consent (not called by apps)`, description: `${description} A request without any state is a 400.` }),
    ApiQuery({ name: 'state', required: true, type: String }),
    ApiQuery({ name: 'code', required: false, type: String }),
    ApiQuery({ name: 'error', required: false, type: String, description: "The provider's reason when consent did not happen, e.g. access_denied." }),
    ApiResponse({ status: 302, description: 'To the frontend, with the outcome in the query.' }),
    ApiProblems('VALIDATION_FAILED', 'RATE_LIMITED'),
  );
}
