import { Body, Controller, HttpCode, HttpStatus, Inject, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../../common/auth/public.decorator.js';
import { RateLimit } from '../../common/rate-limit/rate-limit.js';
import { ApiProblems } from '../../common/http/api-problems.decorator.js';
import { AuthService } from './auth.service.js';
import { AuthTokensDto, ForgotPasswordDto, LoginDto, RefreshTokenDto, RegisterDto, ResetPasswordDto } from './dto/auth.dto.js';

@ApiTags('auth')
@Public()
@Controller('auth')
export class AuthController {
  constructor(@Inject(AuthService) private readonly auth: AuthService) {}

  @Post('register')
  @RateLimit('auth')
  @ApiOperation({ summary: 'Create an account and start a session', description: 'Rate limited per IP and per account.' })
  @ApiCreatedResponse({ type: AuthTokensDto })
  @ApiProblems('VALIDATION_FAILED', 'EMAIL_TAKEN', 'RATE_LIMITED')
  register(@Body() dto: RegisterDto): Promise<AuthTokensDto> {
    return this.auth.register(dto);
  }

  @Post('login')
  @HttpCode(HttpStatus.OK)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Log in with email and password', description: 'Rate limited per IP and per account.' })
  @ApiOkResponse({ type: AuthTokensDto })
  @ApiProblems('VALIDATION_FAILED', 'INVALID_CREDENTIALS', 'RATE_LIMITED')
  login(@Body() dto: LoginDto): Promise<AuthTokensDto> {
    return this.auth.login(dto);
  }

  @Post('refresh-token')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary: 'Exchange a refresh token for new tokens',
    description: 'Each refresh token works once. Reusing a rotated token revokes every token of that login.',
  })
  @ApiOkResponse({ type: AuthTokensDto })
  @ApiProblems('VALIDATION_FAILED', 'INVALID_REFRESH_TOKEN', 'REFRESH_TOKEN_REUSED', 'RATE_LIMITED')
  refresh(@Body() dto: RefreshTokenDto): Promise<AuthTokensDto> {
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End the session of a refresh token', description: 'Idempotent.' })
  @ApiNoContentResponse({ description: 'The session is revoked.' })
  @ApiProblems('VALIDATION_FAILED', 'RATE_LIMITED')
  logout(@Body() dto: RefreshTokenDto): Promise<void> {
    return this.auth.logout(dto.refreshToken);
  }

  @Post('forgot-password')
  @HttpCode(HttpStatus.ACCEPTED)
  @RateLimit('auth')
  @ApiOperation({
    summary: 'Email a password reset token',
    description: 'Always 202, whether or not the account exists. Rate limited per IP and per account.',
  })
  @ApiAcceptedResponse({ description: 'If the account exists, a reset email is on its way.' })
  @ApiProblems('VALIDATION_FAILED', 'RATE_LIMITED')
  forgotPassword(@Body() dto: ForgotPasswordDto): Promise<void> {
    return this.auth.forgotPassword(dto.email);
  }

  @Post('reset-password')
  @HttpCode(HttpStatus.NO_CONTENT)
  @RateLimit('auth')
  @ApiOperation({ summary: 'Set a new password with a reset token', description: 'Signs out every session. Rate limited per IP.' })
  @ApiNoContentResponse({ description: 'Password changed.' })
  @ApiProblems('VALIDATION_FAILED', 'INVALID_RESET_TOKEN', 'RATE_LIMITED')
  resetPassword(@Body() dto: ResetPasswordDto): Promise<void> {
    return this.auth.resetPassword(dto.token, dto.newPassword);
  }
}
