// The one place that knows every secret of the run (SECURITY.md): passwords and robot secrets from
// the inputs, bearer tokens the run obtained, and the encodings they travel in (the Basic header,
// URL and JSON escaping). Whatever the tool writes (stdout, stderr, the report, the summary,
// --json events, annotations) passes scrub() on its way out, wherever the text came from: our own
// messages, a server's error body, a library's debug line.
//
// Process-wide on purpose: a token is learned deep in the transport, and the text that might echo
// it is written by an adapter that never sees the transport.

/** Shorter values are not scrubbed: masking every "ab" would wreck the output, and a secret that
 * short protects nothing. GitHub's own masking has the same floor in spirit. */
const MIN_LENGTH = 4;
const MASK = '***';

const known = new Set<string>();
let pattern: RegExp | undefined;

/** Registers a secret and the forms it is written in. */
export function addSecret(value: string | undefined): void {
  if (!value || value.length < MIN_LENGTH) return;
  const forms = [
    value,
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    Buffer.from(value, 'utf8').toString('base64'),
  ];
  let added = false;
  for (const form of forms) {
    if (form.length >= MIN_LENGTH && !known.has(form)) {
      known.add(form);
      added = true;
    }
  }
  if (added) pattern = undefined;
}

/** Registers a user name and password, and the Basic header they make (`user:password` in base64). */
export function addCredentials(credentials: { username: string; password: string } | undefined): void {
  if (!credentials) return;
  addSecret(credentials.password);
  addSecret(`${credentials.username}:${credentials.password}`);
}

/** The text with every known secret replaced by `***`. */
export function scrub(text: string): string {
  if (known.size === 0 || text.length < MIN_LENGTH) return text;
  pattern ??= new RegExp(
    [...known]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegex)
      .join('|'),
    'g',
  );
  return text.replace(pattern, MASK);
}

/** For tests: forget every secret. */
export function clearSecrets(): void {
  known.clear();
  pattern = undefined;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
