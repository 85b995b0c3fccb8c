import { Inject, Injectable } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box.js';
import type { SlackIntegration } from './slack.rows.js';

export const botTokenContext = (integrationId: string) => `slack_integrations.bot_token:${integrationId}`;
export const userTokenContext = (integrationId: string) => `slack_integrations.user_token:${integrationId}`;

/** Seals and opens an install's tokens (SecretBox, bound to the row they live in). Never log what these return. */
@Injectable()
export class SlackTokens {
  constructor(@Inject(SecretBox) private readonly box: SecretBox) {}

  sealBot(integrationId: string, token: string): string {
    return this.box.seal(token, botTokenContext(integrationId));
  }

  sealUser(integrationId: string, token: string): string {
    return this.box.seal(token, userTokenContext(integrationId));
  }

  bot(integration: SlackIntegration): string {
    return this.box.open(integration.sealedBotToken, botTokenContext(integration.id));
  }

  user(integration: SlackIntegration): string | null {
    return integration.sealedUserToken ? this.box.open(integration.sealedUserToken, userTokenContext(integration.id)) : null;
  }
}
