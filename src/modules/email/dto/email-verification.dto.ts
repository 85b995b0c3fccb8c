import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { NormalizeEmail } from '../../../common/validation/validators.js';

export class VerifyEmailDto {
  /** The address to verify: your account address when absent, else an extra notification address (added by this). */
  @ApiProperty({ required: false, example: 'ada.alerts@example.com' })
  @IsOptional()
  @NormalizeEmail()
  @IsEmail({}, { message: 'must be a valid email address' })
  @MaxLength(254)
  email?: string;
}

export class ConfirmEmailDto {
  /** The token from the verification link (`?token=`) or email. */
  @ApiProperty({ example: 'mF3qP0cVb8tXw2LzR7yK4nHd9sJe1aUg6oBiZ5vQxWc' })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/, { message: 'must be the 43-character token from the verification email' })
  token: string;
}

export class EmailAddressDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'ada.alerts@example.com' }) email: string;
  /** Your account address (the one you sign in with), rather than an extra notification address. */
  @ApiProperty() isAccountAddress: boolean;
  @ApiProperty() verified: boolean;
  @ApiProperty({ nullable: true, type: Date }) verifiedAt: Date | null;
  /** When the pending verification link expires; null when none is pending. */
  @ApiProperty({ nullable: true, type: Date }) pendingUntil: Date | null;
}

export class EmailVerificationStatusDto {
  @ApiProperty({ example: 'ada@example.com' }) accountEmail: string;
  @ApiProperty() accountEmailVerified: boolean;
  /** EMAIL_REQUIRE_VERIFIED: notification emails go only to verified addresses. */
  @ApiProperty() verificationRequired: boolean;
  /** Where your notification emails go now (reminders, booking notices, daily summary). */
  @ApiProperty({ type: [String], example: ['ada@example.com'] }) notificationAddresses: string[];
  @ApiProperty({ type: [EmailAddressDto] }) addresses: EmailAddressDto[];
}

export class VerificationSentDto {
  @ApiProperty({ type: EmailAddressDto }) address: EmailAddressDto;
}
