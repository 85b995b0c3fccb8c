import { Injectable } from '@nestjs/common';

/**
 * "Now", injected where a rule depends on it (no past slots), so tests can fix it on the running app
 * instead of depending on the day they run.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
