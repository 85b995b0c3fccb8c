import { ApiProperty, OmitType, PartialType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsIanaZone, IsSingleLine, IsIsoInstantOrDate, NormalizeEmail, Omittable } from '../../../common/validation/validators.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class ReminderDto {
  @ApiProperty({ enum: ['email', 'slack', 'popup'], example: 'email' })
  @IsIn(['email', 'slack', 'popup'])
  method: 'email' | 'slack' | 'popup';

  /** Minutes before the start (up to four weeks). */
  @ApiProperty({ type: 'integer', minimum: 0, maximum: 40320, example: 15 })
  @IsInt()
  @Min(0)
  @Max(40320)
  minutesBefore: number;
}

export class AttachmentDto {
  /** https links only. */
  @ApiProperty({ example: 'https://docs.example.com/agenda.pdf' })
  @IsUrl({ protocols: ['https'], require_protocol: true }, { message: 'must be an https URL' })
  @MaxLength(2048)
  url: string;

  @ApiProperty({ example: 'Agenda' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title: string;

  @ApiProperty({ example: 'application/pdf' })
  @Matches(/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/i, { message: 'must be a MIME type such as application/pdf' })
  @MaxLength(127)
  mimeType: string;
}

export class AttendeeInputDto {
  @ApiProperty({ example: 'grace@example.com' })
  @NormalizeEmail()
  @IsEmail({}, { message: 'must be a valid email address' })
  @MaxLength(254)
  email: string;

  @ApiProperty({ required: false, example: 'Grace Hopper' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @IsSingleLine()
  name?: string;
}

export class CreateEventDto {
  @ApiProperty({ example: 'Team sync' })
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  @IsSingleLine()
  title: string;

  @ApiProperty({ required: false, nullable: true, description: 'null: none (on update, removes it).', example: 'Weekly planning' })
  @IsOptional()
  @IsString()
  @MaxLength(10000)
  description?: string;

  @ApiProperty({ required: false, nullable: true, description: 'null: none (on update, removes it).', example: 'Room 4' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  location?: string;

  /** ISO 8601 with offset; for all-day events a date 'YYYY-MM-DD'. */
  @ApiProperty({ example: '2026-03-09T09:00:00-05:00' })
  @IsIsoInstantOrDate()
  startTime: string;

  /** After startTime. For all-day events the first date NOT included (exclusive end). */
  @ApiProperty({ example: '2026-03-09T09:30:00-05:00' })
  @IsIsoInstantOrDate()
  endTime: string;

  /** IANA zone of the event (recurrence and all-day dates are read in it); defaults to yours. */
  @ApiProperty({ required: false, example: 'America/New_York' })
  @Omittable()
  @IsIanaZone()
  timezone?: string;

  @ApiProperty({ required: false, default: false })
  @Omittable()
  @IsBoolean()
  isAllDay?: boolean;

  @ApiProperty({ required: false, enum: ['confirmed', 'tentative', 'cancelled'], default: 'confirmed' })
  @Omittable()
  @IsIn(['confirmed', 'tentative', 'cancelled'])
  status?: 'confirmed' | 'tentative' | 'cancelled';

  /** Free events never block availability. */
  @ApiProperty({ required: false, enum: ['busy', 'free'], default: 'busy' })
  @Omittable()
  @IsIn(['busy', 'free'])
  transparency?: 'busy' | 'free';

  @ApiProperty({ required: false, nullable: true, description: 'null: none (on update, removes it).', example: '#0ea5e9' })
  @IsOptional()
  @Matches(/^#[0-9a-fA-F]{6}$/, { message: 'must be a hex color such as #0ea5e9' })
  color?: string;

  @ApiProperty({ required: false, enum: ['default', 'public', 'private'], default: 'default' })
  @Omittable()
  @IsIn(['default', 'public', 'private'])
  visibility?: 'default' | 'public' | 'private';

  @ApiProperty({ required: false, type: [String], format: 'uuid' })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true, message: 'each tag id must be a UUID' })
  tagIds?: string[];

  @ApiProperty({ required: false, type: [AttendeeInputDto] })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AttendeeInputDto)
  attendees?: AttendeeInputDto[];

  @ApiProperty({ required: false, type: [ReminderDto] })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => ReminderDto)
  reminders?: ReminderDto[];

  @ApiProperty({ required: false, type: [AttachmentDto] })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AttachmentDto)
  attachments?: AttachmentDto[];

  /** RFC 5545 RRULE value, with or without the "RRULE:" prefix. Makes the event a series. */
  @ApiProperty({ required: false, example: 'FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10' })
  @Omittable()
  @IsString()
  @MaxLength(1000)
  recurrenceRule?: string;

  /** Occurrence ids (original start instants, or dates for all-day series) to skip. */
  @ApiProperty({ required: false, type: [String], example: ['2026-03-16T14:00:00Z'] })
  @Omittable()
  @IsArray()
  @ArrayMaxSize(1000)
  @IsString({ each: true })
  exdates?: string[];
}

/** Every field optional; the series rule is changed through PUT /events/:id/recurrence. */
export class UpdateEventDto extends PartialType(OmitType(CreateEventDto, ['recurrenceRule', 'exdates'] as const), { skipNullProperties: false }) {}

export class DuplicateEventDto {
  /** Where the copy starts; it keeps the original's length. Defaults to the original start. */
  @ApiProperty({ required: false, example: '2026-03-16T09:00:00-04:00' })
  @IsOptional()
  @IsIsoInstantOrDate()
  startTime?: string;
}

export class RsvpDto {
  @ApiProperty({ enum: ['accepted', 'declined', 'tentative'] })
  @IsIn(['accepted', 'declined', 'tentative'])
  response: 'accepted' | 'declined' | 'tentative';
}

export class TagSummaryDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Work' })
  name: string;

  @ApiProperty({ example: '#3b82f6' })
  color: string;
}

export class AttendeeDto {
  @ApiProperty({ example: 'grace@example.com' })
  email: string;

  @ApiProperty({ nullable: true, type: String })
  name: string | null;

  @ApiProperty({ enum: ['needsAction', 'accepted', 'declined', 'tentative'] })
  responseStatus: string;

  @ApiProperty({ nullable: true, type: Date })
  respondedAt: Date | null;
}

export class RecurrenceDto {
  @ApiProperty({ example: 'FREQ=WEEKLY;BYDAY=MO' })
  rule: string;

  @ApiProperty({ type: [String] })
  exdates: string[];
}

export class EventCalendarDto {
  @ApiProperty({ format: 'uuid' }) clientId: string;
  /** Google's calendar id. */
  @ApiProperty({ example: 'ops@acme.example' }) calendarId: string;
  @ApiProperty({ example: 'Acme Corp' }) clientName: string;
  /** The client's colour. */
  @ApiProperty({ example: '#0ea5e9' }) color: string;
}

export class EventResponseDto {
  /** The event id; for a virtual occurrence of a series, the series id. */
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty()
  title: string;

  @ApiProperty({ nullable: true, type: String })
  description: string | null;

  @ApiProperty({ nullable: true, type: String })
  location: string | null;

  @ApiProperty()
  startTime: Date;

  @ApiProperty()
  endTime: Date;

  @ApiProperty({ example: 'America/New_York' })
  timezone: string;

  @ApiProperty()
  isAllDay: boolean;

  /** All-day events: first date. */
  @ApiProperty({ nullable: true, type: String, example: '2026-12-24' })
  startDate: string | null;

  /** All-day events: first date not included. */
  @ApiProperty({ nullable: true, type: String, example: '2026-12-25' })
  endDate: string | null;

  @ApiProperty({ enum: ['confirmed', 'tentative', 'cancelled'] })
  status: string;

  @ApiProperty({ enum: ['busy', 'free'] })
  transparency: string;

  @ApiProperty({ nullable: true, type: String })
  color: string | null;

  @ApiProperty({ enum: ['default', 'public', 'private'] })
  visibility: string;

  @ApiProperty({ type: [ReminderDto] })
  reminders: ReminderDto[];

  @ApiProperty({ type: [AttachmentDto] })
  attachments: AttachmentDto[];

  /** Set on a series. */
  @ApiProperty({ nullable: true, type: RecurrenceDto })
  recurrence: RecurrenceDto | null;

  /** Set on occurrences and overrides: the series they belong to. */
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  seriesId: string | null;

  /** Set on occurrences and overrides: the original start that identifies the occurrence. */
  @ApiProperty({ nullable: true, type: String, example: '2026-03-09T14:00:00Z' })
  occurrenceId: string | null;

  /** True for an overridden occurrence (edited on its own). */
  @ApiProperty()
  isOverride: boolean;

  @ApiProperty({ type: [TagSummaryDto] })
  tags: TagSummaryDto[];

  @ApiProperty({ type: [AttendeeDto] })
  attendees: AttendeeDto[];

  /** "owner", or "attendee" for an event you were invited to (read-only). */
  @ApiProperty({ enum: ['owner', 'attendee'] })
  role: 'owner' | 'attendee';

  @ApiProperty()
  readOnly: boolean;

  /** Your answer, when you are an attendee. */
  @ApiProperty({ nullable: true, type: String, enum: ['needsAction', 'accepted', 'declined', 'tentative'] })
  myResponse: string | null;

  /** The client's Google calendar the event is synced from; null for your own events (and invitations). */
  @ApiProperty({ nullable: true, type: () => EventCalendarDto })
  calendar: EventCalendarDto | null;

  @ApiProperty()
  createdAt: Date;

  @ApiProperty()
  updatedAt: Date;
}
