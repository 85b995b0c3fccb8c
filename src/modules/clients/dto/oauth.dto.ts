import { ApiProperty, OmitType, PartialType } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsString, IsUUID, Matches } from 'class-validator';
import { Omittable } from '../../../common/validation/validators.js';
import { ALLOWED_SCOPES, DEFAULT_SCOPES } from '../google-scopes.js';

export class CreateOAuthCredentialDto {
  /** The Calento client these credentials connect. */
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all')
  clientId: string;

  /** Use the deployment's own OAuth client (GOOGLE_CLIENT_ID/SECRET) instead of the client's. */
  @ApiProperty({ required: false, default: false })
  @Omittable()
  @IsBoolean()
  useDefault?: boolean;

  /** The OAuth client id from the client's Google Cloud project (required unless useDefault). */
  @ApiProperty({ required: false, example: '1234567890-abc123.apps.googleusercontent.com' })
  @Omittable()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,255}$/, { message: 'must be 1-255 visible ASCII characters' })
  googleClientId?: string;

  /** Its client secret (required unless useDefault). Stored encrypted; never returned. */
  @ApiProperty({ required: false, example: 'GOCSPX-your-client-secret', writeOnly: true })
  @Omittable()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,512}$/, { message: 'must be 1-512 visible ASCII characters' })
  clientSecret?: string;

  /**
   * Google scopes to ask for; one must be able to read the calendar list. `openid email` is always
   * added to learn the account's email.
   */
  @ApiProperty({ required: false, type: [String], default: DEFAULT_SCOPES, example: DEFAULT_SCOPES })
  @Omittable()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @IsIn(ALLOWED_SCOPES, { each: true, message: 'must list only Google Calendar scopes (and openid, email, profile)' })
  scopes?: string[];
}

/** PUT changes the fields given; a new googleClientId or useDefault disconnects the client's account. */
export class UpdateOAuthCredentialDto extends PartialType(OmitType(CreateOAuthCredentialDto, ['clientId'] as const), { skipNullProperties: false }) {}

export class OAuthCredentialResponseDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) clientId: string;
  @ApiProperty() useDefault: boolean;
  /** Null when useDefault. */
  @ApiProperty({ nullable: true, type: String, example: '1234567890-abc123.apps.googleusercontent.com' })
  googleClientId: string | null;
  @ApiProperty() hasSecret: boolean;
  /** The secret's last 4 characters (null for short secrets and useDefault). */
  @ApiProperty({ nullable: true, type: String, example: 'x9Qa' }) secretLast4: string | null;
  @ApiProperty({ type: [String], example: DEFAULT_SCOPES }) scopes: string[];
  /** unverified until Google accepts the credentials (first consent); invalid once Google refuses them. */
  @ApiProperty({ enum: ['unverified', 'valid', 'invalid'] }) status: string;
  @ApiProperty({ nullable: true, type: Date }) verifiedAt: Date | null;
  /** Register this as an authorized redirect URI of the OAuth client in Google Cloud. */
  @ApiProperty({ example: 'https://calento.example.com/api/v1/oauth/callback' }) redirectUri: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class AuthorizeResponseDto {
  /** Send the user's browser here; Google comes back to GET /oauth/callback. */
  @ApiProperty({ example: 'https://accounts.google.com/o/oauth2/v2/auth?client_id=…&state=…' }) url: string;
  /** The link works once, until then. */
  @ApiProperty() expiresAt: Date;
}
