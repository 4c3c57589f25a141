// One escaping function per output format. Text from outside (a server's words, a name, a digest,
// what a shard's report file holds) reaches an output only through the function for its format:
// - a log (a terminal, a CI log, the Actions log): logLine, applied where a display writes;
// - a JSON line on stdout (--json events): jsonLine;
// - Markdown (the job summary): markdownText, markdownCell, codeSpan, codeCell, fence, htmlText;
// - workflow commands (annotations): @actions/core escapes their data (%, CR, LF) and properties
//   (also `:` and `,`); what goes in is a log line or printable() names;
// - XML (the JUnit report): xmlText, xmlAttribute;
// - HTML (the HTML page): pageText, for element content and attribute values alike;
// - the Prometheus text format (the metrics file): metricLabel.
// A new output format adds its function here.
import { escapeControl } from '../redact/text.js';

// ---- a log ------------------------------------------------------------------------------------

/** The runner reads a line as a workflow command when, after leading whitespace, it starts with
 * `::` (`::error title=…::`), and wherever it holds `##[` (the older `##[error]…` form). */
const COMMAND_START = /^([^\S\n]*)::/gm;
const OLD_COMMAND = /##\[/g;

/**
 * Text as lines of a log: control characters as visible escapes (`\x1b`, `\x0d`), newlines kept,
 * and no line a runner would take for a workflow command: a `:` that would start one is written
 * `\x3a`, the `[` of `##[` as `\x5b`. For everything written to a log, our own words included
 * (they quote names and servers), so a value that slipped past a check where it entered still
 * cannot add an annotation, mask, stop commands or set an output.
 */
export function logLine(text: string): string {
  const line = escapeControl(text);
  if (!line.includes('::') && !line.includes('##[')) return line; // the common case, no new string
  return line.replace(COMMAND_START, '$1\\x3a:').replace(OLD_COMMAND, '##\\x5b');
}

// ---- a JSON line --------------------------------------------------------------------------------

/** A value as one line of JSON: JSON.stringify leaves DEL, C1 controls and U+2028/9 raw (a
 * terminal acts on them) and `##[` as it is; both become \u escapes, which parse back the same. */
export function jsonLine(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(OLD_COMMAND, '##\\u005b');
}

// ---- Markdown (GitHub-flavoured, as the job summary is rendered) --------------------------------

/** CommonMark ends a line at LF, CR or CRLF: a lone CR would end a table row too. */
const LINE_BREAK = /\r\n|\r|\n/g;

/** Text from anywhere (a server's message, a name) as Markdown that renders as that text: no
 * emphasis, link, image, entity or HTML (`<img>` stays text), one line. */
export function markdownText(value: string): string {
  return (
    value
      .replace(/\\/g, '\\\\')
      .replace(/&(?=#?\w+;)/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[`*[\]~|]/g, '\\$&')
      // An underscore inside a word is never emphasis; at a word's edge it may be.
      .replace(/(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, '\\_')
      .replace(LINE_BREAK, ' ')
  );
}

/** Text inside a table cell: each line escaped (`|` included), newlines as line breaks. */
export function markdownCell(value: string): string {
  return value
    .split(LINE_BREAK)
    .map((line) => markdownText(line))
    .join('<br>');
}

/** A code span that holds any text (backticks inside get a longer fence), one line. Not for a
 * table: a `|` in it would end the cell (codeCell). */
export function codeSpan(value: string): string {
  const flat = value.replace(LINE_BREAK, ' ');
  const fence = '`'.repeat(longestRun(flat, '`') + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** A code span inside a table cell. GitHub splits a row at every `|` not escaped, inside code
 * spans too, and takes `\|` back to `|` before the span is read: the span shows the text as it is. */
export function codeCell(value: string): string {
  return codeSpan(value).replace(/\|/g, '\\|');
}

/** A fenced code block of lines (each value one line): the fence is longer than any run of
 * backticks in them, so none can close it early. */
export function fence(lines: readonly string[], info = 'text'): string[] {
  const flat = lines.map((line) => line.replace(LINE_BREAK, ' '));
  let longest = 2;
  for (const line of flat) longest = Math.max(longest, longestRun(line, '`'));
  const mark = '`'.repeat(longest + 1);
  return [`${mark}${info}`, ...flat, mark];
}

/** Text for raw HTML element content (a <summary> label): no Markdown is parsed there. Never for
 * an attribute value, so quotes stay as they are, readable in a terminal too. One line: a blank
 * line would end the HTML block. */
export function htmlText(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(LINE_BREAK, ' ');
}

// ---- XML (the JUnit report) and HTML (the HTML page) --------------------------------------------

/** What XML 1.0 cannot hold even as a reference: U+FFFE, U+FFFF (the C0 controls, which it cannot
 * hold either, escapeControl has made visible already; a lone surrogate toWellFormed replaced). */
const NOT_XML = /[\ufffe\uffff]/g;
const MARKUP = /[&<>"']/g;
const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as XML or HTML markup shows it: `& < > " '` as references, control characters as visible
 * escapes (`\x1b`; tabs and newlines kept). The same five references in both languages, so a secret
 * is written in one more form only (src/redact/secrets.ts masks that form too). */
function markup(value: string): string {
  return escapeControl(value.toWellFormed())
    .replace(NOT_XML, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
    .replace(MARKUP, (c) => ENTITIES[c]!);
}

/** Text for XML element content (a failure's details, system-out). */
export function xmlText(value: string): string {
  return markup(value);
}

/** Text for an XML attribute value quoted with `"`: a parser turns a raw newline or tab there
 * into a space, so they are written as references and come back as they were. */
export function xmlAttribute(value: string): string {
  return markup(value).replace(/[\n\t]/g, (c) => (c === '\n' ? '&#10;' : '&#9;'));
}

/** Text for the HTML page, in element content or a quoted attribute value: nothing in it can open
 * a tag, end an attribute or start a reference. */
export function pageText(value: string): string {
  return markup(value);
}

// ---- the Prometheus text exposition format (the metrics file) ----------------------------------

/** A label value between double quotes: the format's three escapes (`\\`, `\"`, `\n`), control
 * characters made visible first, so a line of the file stays one sample. */
export function metricLabel(value: string): string {
  return escapeControl(value.toWellFormed()).replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}
