import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { Public } from '../../common/auth/public.decorator.js';
import { ApiAuth, ApiProblems } from '../../common/http/api-problems.decorator.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { UuidParam } from '../../common/validation/validation.js';
import { ConfirmEmailDto, EmailAddressDto, EmailVerificationStatusDto, VerifyEmailDto } from './dto/email-verification.dto.js';
import { EmailAddressesService } from './email-addresses.service.js';

@ApiTags('integrations')
@Controller('integrations/email')
export class EmailAddressesController {
  constructor(@Inject(EmailAddressesService) private readonly addresses: EmailAddressesService) {}

  @Post('verify')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Send a verification link',
    description:
      'To your account address (no body), or to an extra notification address (`email`, added by this; at most 5). ' +
      'The link (FRONTEND_URL/verify-email?token=…) works once and for 24 hours; asking again replaces it.',
  })
  @ApiAcceptedResponse({ type: EmailAddressDto, description: 'The email is queued.' })
  @ApiAuth('VALIDATION_FAILED', 'EMAIL_ALREADY_VERIFIED', 'EMAIL_ADDRESS_LIMIT')
  verify(@CurrentUser() user: AuthUser, @Body() dto: VerifyEmailDto): Promise<EmailAddressDto> {
    return this.addresses.requestVerification(user, dto);
  }

  @Public()
  @RateLimit('public')
  @Post('confirm')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Confirm an address with the token from its verification link (no sign-in needed)' })
  @ApiOkResponse({ type: EmailAddressDto })
  @ApiProblems('VALIDATION_FAILED', 'INVALID_VERIFICATION_TOKEN', 'RATE_LIMITED')
  confirm(@Body() dto: ConfirmEmailDto): Promise<EmailAddressDto> {
    return this.addresses.confirm(dto.token);
  }

  @Get()
  @ApiOperation({ summary: 'Your addresses, which are verified, and where notification emails go' })
  @ApiOkResponse({ type: EmailVerificationStatusDto })
  @ApiAuth()
  status(@CurrentUser() user: AuthUser): Promise<EmailVerificationStatusDto> {
    return this.addresses.status(user);
  }

  @Delete('addresses/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove an address', description: 'It gets no more notifications (an account address becomes unverified).' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiAuth('INVALID_ID', 'NOT_FOUND')
  remove(@CurrentUser() user: AuthUser, @UuidParam('id') id: string): Promise<void> {
    return this.addresses.remove(user, id);
  }
}
