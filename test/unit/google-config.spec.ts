import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { googleEndpoints } from '../../src/modules/clients/google-api.js';
import { consentScopes, scopesProblem } from '../../src/modules/clients/google-scopes.js';

const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32), ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}` };

describe('Google configuration', () => {
  it('defaults to Google itself, with no deployment OAuth client', () => {
    const { google } = loadConfig(base);
    expect(google).toEqual({
      clientId: null,
      clientSecret: null,
      oauthBaseUrl: null,
      apiBaseUrl: null,
      pushUrl: 'http://localhost:3000/api/v1/webhooks/google',
      pollMinutes: 15,
      channelTtlHours: 168,
      pushDebounceMs: 2000,
    });
    expect(googleEndpoints(null, null)).toEqual({
      authUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      revokeUrl: 'https://oauth2.googleapis.com/revoke',
      tokenInfoUrl: 'https://oauth2.googleapis.com/tokeninfo',
      userinfoUrl: 'https://www.googleapis.com/oauth2/v3/userinfo',
      apiRootUrl: 'https://www.googleapis.com/',
    });
  });

  it("takes the fake's origins (a trailing slash is fine) and puts Google's paths under them", () => {
    const { google } = loadConfig({ ...base, GOOGLE_OAUTH_BASE_URL: 'http://127.0.0.1:4010', GOOGLE_API_BASE_URL: 'http://127.0.0.1:4010/' });
    expect(google).toMatchObject({ oauthBaseUrl: 'http://127.0.0.1:4010', apiBaseUrl: 'http://127.0.0.1:4010' });
    expect(googleEndpoints(google.oauthBaseUrl, google.apiBaseUrl)).toMatchObject({
      authUrl: 'http://127.0.0.1:4010/o/oauth2/v2/auth',
      tokenUrl: 'http://127.0.0.1:4010/token',
      userinfoUrl: 'http://127.0.0.1:4010/oauth2/v3/userinfo',
      apiRootUrl: 'http://127.0.0.1:4010/',
    });
  });

  it('refuses a base URL with a path (googleapis would drop it), a non-http one, and half a client', () => {
    expect(() => loadConfig({ ...base, GOOGLE_API_BASE_URL: 'http://127.0.0.1:4010/google' })).toThrow(/GOOGLE_API_BASE_URL must be an origin/);
    expect(() => loadConfig({ ...base, GOOGLE_OAUTH_BASE_URL: 'ftp://example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, GOOGLE_CLIENT_ID: 'x.apps.googleusercontent.com' })).toThrow(/GOOGLE_CLIENT_SECRET must be set together/);
    expect(() => loadConfig({ ...base, GOOGLE_CLIENT_SECRET: 'shh' })).toThrow(/GOOGLE_CLIENT_ID must be set together/);
  });
});

describe('scopes', () => {
  it('adds openid and email to a consent, once', () => {
    expect(consentScopes(['https://www.googleapis.com/auth/calendar', 'email'])).toEqual(['https://www.googleapis.com/auth/calendar', 'email', 'openid']);
  });

  it('needs one scope that reads the calendar list', () => {
    expect(scopesProblem(['https://www.googleapis.com/auth/calendar.readonly'])).toBeNull();
    expect(scopesProblem(['https://www.googleapis.com/auth/calendar.calendarlist.readonly', 'openid'])).toBeNull();
    expect(scopesProblem(['https://www.googleapis.com/auth/calendar.events', 'email'])).toMatch(/calendar list/);
  });
});
