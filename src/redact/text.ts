// Text that came from outside (a server's error body, a line of an images file, a file name in an
// archive) before it is shown: terminal control characters escaped so nothing can move the
// cursor or recolour a log, and a server's words cut to a short single-line excerpt.

const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g;
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Control characters as visible escapes (`\x1b`); newlines and tabs kept. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, hexEscape);
}

/** One printable line: newlines and tabs too become escapes. For a value quoted in a message. */
export function printable(text: string): string {
  return text.replace(CONTROL_OR_NEWLINE, hexEscape);
}

/** A server's words as a short single-line excerpt: whitespace runs collapsed, control
 * characters escaped, at most `max` characters. */
export function excerpt(text: string, max = 200): string {
  const line = printable(text.replace(/\s+/g, ' ').trim());
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function hexEscape(c: string): string {
  const code = c.charCodeAt(0);
  return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
}
