import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../../common/http/pagination.js';
import { emailStatuses, type EmailStatus } from '../email.rows.js';

/** `?page=&limit=&status=`: the shared paging rules plus a status filter. */
export class ListEmailsQueryDto extends PageQueryDto {
  /** Only emails in this state. */
  @ApiProperty({ required: false, enum: emailStatuses })
  @IsOptional()
  @IsIn(emailStatuses)
  status?: EmailStatus;
}

export class EmailNotificationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'password_reset' })
  templateKey: string;

  @ApiProperty({ example: 'ada@example.com' })
  recipient: string;

  @ApiProperty({ example: 'Reset your Calento password' })
  subject: string;

  /** queued → sent; a temporary failure makes it retrying until it is sent or failed. */
  @ApiProperty({ enum: emailStatuses, example: 'sent' })
  status: EmailStatus;

  @ApiProperty({ type: 'integer', example: 1 })
  attempts: number;

  /** When it is (or was) due; for a retrying email, the time of the next attempt. */
  @ApiProperty()
  scheduledAt: Date;

  @ApiProperty({ nullable: true, type: Date })
  sentAt: Date | null;

  /** The last delivery error, e.g. the SMTP server's reply. */
  @ApiProperty({ nullable: true, type: String, example: null })
  errorMessage: string | null;

  /** REQUEST or CANCEL when the email carries a calendar invitation. */
  @ApiProperty({ nullable: true, enum: ['REQUEST', 'CANCEL'], example: null })
  calendarMethod: 'REQUEST' | 'CANCEL' | null;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;
}
