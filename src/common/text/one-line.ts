/** Control characters (C0, DEL, C1) and Unicode's line and paragraph separators. */
const LINE_BREAKING = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LINE_BREAKING_RUNS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/** True when the text would stay on one line wherever it is written (a header, a title, a list). */
export function isOneLine(text: string): boolean {
  return !LINE_BREAKING.test(text);
}

/**
 * The text on one line: each run of control characters and line breaks becomes one space. For what
 * Calento takes from elsewhere (an imported title, a name stored before names were checked) and must
 * write where a break would do harm.
 */
export function toOneLine(text: string): string {
  return text.replace(LINE_BREAKING_RUNS, ' ').trim();
}
