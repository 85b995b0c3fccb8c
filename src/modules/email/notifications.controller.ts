import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, type AuthUser } from '../../common/auth/current-user.decorator.js';
import { ApiAuth } from '../../common/http/api-problems.decorator.js';
import { ApiPageResponse, type Page } from '../../common/http/pagination.js';
import { EmailService } from './email.service.js';
import { EmailNotificationDto, ListEmailsQueryDto } from './dto/email-notification.dto.js';

@ApiTags('notifications')
@Controller('notifications')
export class NotificationsController {
  constructor(@Inject(EmailService) private readonly emails: EmailService) {}

  @Get('emails')
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'Your outgoing emails and their delivery state',
    description:
      'Emails Calento queued on your behalf (welcome, password reset, invitations, booking mails), newest ' +
      'first, with status, attempts and the last delivery error. Bodies are never returned.',
  })
  @ApiPageResponse(EmailNotificationDto)
  @ApiAuth('VALIDATION_FAILED')
  list(@CurrentUser() user: AuthUser, @Query() query: ListEmailsQueryDto): Promise<Page<EmailNotificationDto>> {
    return this.emails.listForUser(user.id, query);
  }
}
