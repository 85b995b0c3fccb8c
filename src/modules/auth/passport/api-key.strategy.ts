import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { Strategy } from 'passport-custom';
import type { AuthUser } from '../../../common/auth/current-user.decorator.js';
import { apiKeyOf, authenticatorsOf } from './request-auth.js';

/** Personal API keys: `X-API-Key: cal_live_…` or `Authorization: Bearer cal_live_…` (docs/api-keys.md). */
@Injectable()
export class ApiKeyStrategy extends PassportStrategy(Strategy, 'api-key') {
  async validate(request: Parameters<typeof apiKeyOf>[0]): Promise<AuthUser | false> {
    const key = apiKeyOf(request);
    if (!key) return false;
    return (await authenticatorsOf(request).userFromApiKey(key)) ?? false;
  }
}
