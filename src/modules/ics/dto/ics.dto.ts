import { ApiProperty } from '@nestjs/swagger';
import { IsString, MinLength } from 'class-validator';

export class ImportIcsDto {
  /** The iCalendar file's text (BEGIN:VCALENDAR …). Its size is bounded by the request body limit. */
  @ApiProperty({ example: 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example//EN\r\nBEGIN:VEVENT\r\n…\r\nEND:VEVENT\r\nEND:VCALENDAR' })
  @IsString()
  @MinLength(1)
  ics: string;
}

export class SkippedEventDto {
  /** The VEVENT's UID; null when it has none. */
  @ApiProperty({ nullable: true, type: String, example: '0c1f7e0e-6a0a-4a56-9a51-2b8e1d1a7c0d@example.com' })
  uid: string | null;

  @ApiProperty({ example: 'DTEND must be after DTSTART' })
  reason: string;
}

export class ImportSummaryDto {
  /** Events (single events, series, edited occurrences) that did not exist before. */
  @ApiProperty({ type: 'integer', example: 3 })
  created: number;

  /** Events that existed (same UID) and changed. */
  @ApiProperty({ type: 'integer', example: 0 })
  updated: number;

  /** Events that existed and were already the same: re-importing a file counts everything here. */
  @ApiProperty({ type: 'integer', example: 0 })
  unchanged: number;

  /** Occurrences removed by STATUS:CANCELLED instances (stored as EXDATEs of their series). */
  @ApiProperty({ type: 'integer', example: 1 })
  cancelled: number;

  @ApiProperty({ type: [SkippedEventDto] })
  skipped: SkippedEventDto[];
}

export class FeedCreatedDto {
  /** The subscription URL; it contains the token. Shown once: only a hash of the token is kept. */
  @ApiProperty({ example: 'https://calento.example.com/api/v1/calendar/feed/kq3…Zw.ics' })
  url: string;

  @ApiProperty({ example: 'kq3h0sTt2o9W1uPzL8dYc4eRjXbVn6mAa5fQ7gHiJZw' })
  token: string;
}

export class FeedStatusDto {
  @ApiProperty()
  exists: boolean;

  /** When the current token was made. */
  @ApiProperty({ nullable: true, type: Date })
  createdAt: Date | null;
}
