import { Module } from '@nestjs/common';
import { BookingsModule } from '../bookings/bookings.module.js';
import { BookingPageController } from './booking-page.controller.js';
import { BookingPageService } from './booking-page.service.js';

@Module({
  imports: [BookingsModule],
  controllers: [BookingPageController],
  providers: [BookingPageService],
})
export class BookingPageModule {}
