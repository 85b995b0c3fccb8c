import { IANAZone } from 'luxon';

const known = new Map<string, boolean>();

/**
 * True for IANA zone names the runtime's ICU data knows. Offsets ("+02:00") are refused on purpose:
 * recurrence and availability need a zone with DST rules, not a fixed offset. The tz database's own
 * legacy names ("EST", "US/Eastern", "EST5EDT", "W-SU", "GMT+0") are IANA names and pass: a browser set
 * to one reports it as it is, and the booking page sends it back.
 */
export function isValidZone(zone: string): boolean {
  let valid = known.get(zone);
  if (valid === undefined) {
    valid = zone.length <= 64 && /^[A-Za-z_][A-Za-z0-9_+\-]*(?:\/[A-Za-z0-9_+\-]+)*$/.test(zone) && IANAZone.isValidZone(zone);
    if (known.size < 1000) known.set(zone, valid);
  }
  return valid;
}
