import { TextDecoder } from 'node:util';
import { DomainError } from '../errors/domain-error.js';

/**
 * The text of an .ics file posted as it is (Content-Type: text/calendar). RFC 5545 makes UTF-8 the
 * default; a file in another charset says so in the header, and TextDecoder reads what the WHATWG
 * Encoding Standard lists (iso-8859-1, windows-1252, utf-16le, shift_jis, …). Bytes that are not valid
 * in the charset are refused rather than stored as U+FFFD, which would lose the text without a word.
 */
export function decodeCalendarBody(body: Buffer, contentType: string | undefined): string {
  const charset = charsetOf(contentType) ?? 'utf-8';
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(charset, { fatal: true });
  } catch {
    throw new DomainError('UNSUPPORTED_CHARSET', { charset }, [
      { field: 'Content-Type', message: `charset "${charset}" is not one Calento can read` },
    ]);
  }
  try {
    if (decoder.encoding === 'windows-1252') return decodeWindows1252(body);
    // TextDecoder drops a leading byte order mark of its own encoding.
    return decoder.decode(body);
  } catch {
    throw new DomainError('INVALID_ICALENDAR', {}, [
      { field: 'ics', message: `is not valid ${charset} text; declare the file's charset (text/calendar; charset=…)` },
    ]);
  }
}

function charsetOf(contentType: string | undefined): string | null {
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType ?? '');
  if (!match) return null;
  const charset = (match[1] ?? match[2]).trim();
  // Echoed in the problem: keep it short and printable.
  return charset.slice(0, 40).replace(/[^\x21-\x7e]/g, '?') || null;
}

/**
 * Node's TextDecoder (v20) reads windows-1252, and iso-8859-1 which the Encoding Standard maps to it, as
 * Latin-1: bytes 0x80-0x9F come out as C1 controls instead of the quotes, dashes and € Windows put there.
 */
const WINDOWS_1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

function decodeWindows1252(body: Buffer): string {
  return body.toString('latin1').replace(/[\x80-\x9f]/g, (char) => WINDOWS_1252_HIGH[char.charCodeAt(0) - 0x80]);
}
