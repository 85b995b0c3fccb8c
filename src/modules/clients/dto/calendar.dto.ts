import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { ACCESS_ROLES, CLIENT_STATUSES, type AccessRole, type ClientStatus } from '../clients.rows.js';

export class CalendarResponseDto {
  /** Google's calendar id (URL-encode it in paths: it holds `@` and sometimes `#`). */
  @ApiProperty({ example: 'ops@acme.example' }) id: string;
  @ApiProperty({ example: 'Acme operations' }) summary: string;
  @ApiProperty({ nullable: true, type: String }) description: string | null;
  @ApiProperty() primary: boolean;
  @ApiProperty({ enum: ACCESS_ROLES }) accessRole: AccessRole;
  @ApiProperty({ nullable: true, type: String, example: 'Europe/Berlin' }) timeZone: string | null;
  @ApiProperty({ nullable: true, type: String, example: '#9fe1e7' }) backgroundColor: string | null;
  /** Hidden from the calendar list in Google's own app. */
  @ApiProperty() hidden: boolean;
  /** Its events count as busy time (default: true for the primary calendar and calendars you own). */
  @ApiProperty() busy: boolean;
  /** New bookings are written here; at most one calendar per user, across all clients. */
  @ApiProperty() destination: boolean;
  /**
   * The origin of the changes its sync writes (change feed, webhooks, real-time) and the `source` of the
   * events it mirrors: `google:` and an id of Calento's own, stable for as long as the calendar is listed.
   */
  @ApiProperty({ example: 'google:0f8b6c1e-4d7a-4f7e-9a51-2b3c4d5e6f70' }) origin: string;
  @ApiProperty() updatedAt: Date;
}

export class CalendarListMetaDto {
  /** True when the list was just read from Google; false when Google could not be asked (shown: stored list). */
  @ApiProperty() live: boolean;
  @ApiProperty({ enum: CLIENT_STATUSES }) clientStatus: ClientStatus;
}

export class CalendarListResponseDto {
  @ApiProperty({ type: [CalendarResponseDto] }) data: CalendarResponseDto[];
  @ApiProperty({ type: CalendarListMetaDto }) meta: CalendarListMetaDto;
}

export class UpdateCalendarDto {
  @ApiProperty({ required: false })
  @IsOptional()
  @IsBoolean()
  busy?: boolean;

  /** true moves the destination here from wherever it was; false leaves you without one. */
  @ApiProperty({ required: false })
  @IsOptional()
  @IsBoolean()
  destination?: boolean;
}
