import { Module } from '@nestjs/common';
import { EmailModule } from '../email/email.module.js';
import { UserDirectoryModule } from '../users/user-directory.js';
import { ClientCalendarsRepository } from './client-calendars.repository.js';
import { ClientCalendarsService } from './client-calendars.service.js';
import { ClientConnections } from './client-connections.js';
import { ClientEvents } from './client-events.js';
import { ClientsController } from './clients.controller.js';
import { ClientsRepository } from './clients.repository.js';
import { ClientsService } from './clients.service.js';
import { CredentialKeys } from './credential-keys.js';
import { GoogleAccountsRepository } from './google-accounts.repository.js';
import { GoogleApi } from './google-api.js';
import { GoogleTokensService } from './google-tokens.service.js';
import { OAuthController } from './oauth.controller.js';
import { OAuthCredentialsRepository } from './oauth-credentials.repository.js';
import { OAuthCredentialsService } from './oauth-credentials.service.js';
import { OAuthFlowService } from './oauth-flow.service.js';
import { OAuthStatesRepository } from './oauth-states.repository.js';

/**
 * Clients, their OAuth credentials, connected Google accounts and calendars (seed 004). The one writer
 * of clients, oauth_credentials, google_accounts, oauth_states and client_calendars. For the Google
 * sync it exports GoogleTokensService (authorized googleapis clients), ClientCalendarsService (calendars
 * and their settings), ClientsService and ClientEvents (connected / needs_reauth / disconnected /
 * calendars_removed / deleting hooks).
 * UserDirectory and EmailAddressesService (the email module's delivery-address rule) give the reauth email
 * its recipients.
 */
@Module({
  imports: [EmailModule, UserDirectoryModule],
  controllers: [ClientsController, OAuthController],
  providers: [
    GoogleApi,
    CredentialKeys,
    ClientEvents,
    ClientConnections,
    ClientsRepository,
    OAuthCredentialsRepository,
    GoogleAccountsRepository,
    OAuthStatesRepository,
    ClientCalendarsRepository,
    ClientsService,
    OAuthCredentialsService,
    OAuthFlowService,
    GoogleTokensService,
    ClientCalendarsService,
  ],
  exports: [ClientsService, ClientCalendarsService, GoogleTokensService, ClientEvents],
})
export class ClientsModule {}
