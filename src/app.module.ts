import { Module, type DynamicModule } from '@nestjs/common';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { DbModule } from './db/db.module.js';
import { CommonModule } from './common/common.module.js';
import { AuthModule } from './modules/auth/auth.module.js';
import { HealthModule } from './modules/health/health.module.js';
import { RateLimitModule } from './common/rate-limit/rate-limit.module.js';
import { UsersModule } from './modules/users/users.module.js';
import { EventsModule } from './modules/events/events.module.js';
import { IcsModule } from './modules/ics/ics.module.js';
import { AvailabilityModule } from './modules/availability/availability.module.js';
import { BookingsModule } from './modules/bookings/bookings.module.js';
import { BookingPageModule } from './modules/booking-page/booking-page.module.js';
import { ClientsModule } from './modules/clients/clients.module.js';
import { WebAppModule } from './modules/web-app/web-app.module.js';
import { RealtimeModule } from './modules/realtime/realtime.module.js';
import { WebhooksModule } from './modules/webhooks/webhooks.module.js';
import { jobModules } from './worker.module.js';

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DbModule,
        CommonModule,
        RateLimitModule,
        ...jobModules,
        AuthModule,
        UsersModule,
        EventsModule,
        IcsModule,
        AvailabilityModule,
        BookingsModule,
        BookingPageModule,
        RealtimeModule,
        WebhooksModule,
        ClientsModule,
        WebAppModule,
        HealthModule,
      ],
    };
  }
}
