import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Inject, Patch } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { Public } from '../../common/auth/public.decorator.js';
import { ApiAuth, ApiProblems } from '../../common/http/api-problems.decorator.js';
import { UuidParam } from '../../common/validation/validation.js';
import { UsersService } from './users.service.js';
import { DeleteMeDto, PublicProfileDto, UpdateMeDto, UserResponseDto } from './dto/user.dto.js';

@ApiTags('users')
@Controller('users')
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Get('me')
  @ApiOperation({ summary: 'Your profile' })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiAuth()
  getMe(@CurrentUser() user: AuthUser): Promise<UserResponseDto> {
    return this.users.getMe(user.id);
  }

  @Patch('me')
  @ApiOperation({
    summary: 'Update your profile or password',
    description: 'Changing the password needs currentPassword and signs out every session.',
  })
  @ApiOkResponse({ type: UserResponseDto })
  @ApiAuth('VALIDATION_FAILED', 'WRONG_PASSWORD')
  updateMe(@CurrentUser() user: AuthUser, @Body() dto: UpdateMeDto): Promise<UserResponseDto> {
    return this.users.updateMe(user.id, dto);
  }

  @Delete('me')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    summary: 'Delete your account and all its data',
    description:
      'Needs the current password. Bookings still to come are cancelled and their bookers emailed; events still to come ' +
      'with attendees are deleted and their attendees sent a cancellation; Google grants and Slack tokens are revoked ' +
      '(best effort). See docs/auth.md, account deletion.',
  })
  @ApiNoContentResponse({ description: 'The account and its data are gone.' })
  @ApiAuth('VALIDATION_FAILED', 'WRONG_PASSWORD')
  deleteMe(@CurrentUser() user: AuthUser, @Body() dto: DeleteMeDto): Promise<void> {
    return this.users.deleteMe(user.id, dto.password);
  }

  @Public()
  @Get(':id/public-profile')
  @ApiOperation({ summary: "A user's public profile", description: 'Name, zone and active booking links; no email.' })
  @ApiOkResponse({ type: PublicProfileDto })
  @ApiProblems('INVALID_ID', 'NOT_FOUND', 'RATE_LIMITED')
  publicProfile(@UuidParam('id') id: string): Promise<PublicProfileDto> {
    return this.users.publicProfile(id);
  }
}
