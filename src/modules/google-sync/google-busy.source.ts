import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { BusySources, type BusyInterval, type BusySource } from '../availability/busy-sources.js';
import { ClientCalendarsService } from '../clients/client-calendars.service.js';
import { EventsService } from '../events/events.service.js';
import { UserDirectory } from '../users/user-directory.js';

/**
 * Busy time from clients' Google calendars: the synced events of every calendar marked busy
 * (PATCH /clients/:id/calendars/:calendarId), so free/busy, check and booking slots count them and
 * leave out the calendars that are not.
 */
@Injectable()
export class GoogleBusySource implements BusySource, OnModuleInit {
  readonly name = 'google';

  constructor(
    @Inject(BusySources) private readonly sources: BusySources,
    @Inject(ClientCalendarsService) private readonly calendars: ClientCalendarsService,
    @Inject(EventsService) private readonly events: EventsService,
    @Inject(UserDirectory) private readonly users: UserDirectory,
  ) {}

  onModuleInit(): void {
    this.sources.register(this);
  }

  async busy(userId: string, window: { from: Date; to: Date }): Promise<BusyInterval[]> {
    const busy = await this.calendars.busyCalendars(userId);
    if (busy.length === 0) return [];
    const user = await this.users.findById(userId);
    if (!user) return [];
    const blocks = await this.events.busy({ id: user.id, email: user.email, timezone: user.timezone }, window, busy.map((calendar) => `google:${calendar.rowId}`));
    return blocks.map((block) => ({ start: block.start, end: block.end, source: this.name, id: block.id, title: block.title }));
  }
}
