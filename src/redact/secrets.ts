// The one place that knows every secret of the run (SECURITY.md): passwords and robot secrets from
// the inputs, bearer tokens the run obtained, and the encodings they travel in (the Basic header,
// URL and JSON escaping). Whatever the tool writes (stdout, stderr, the report, the summary,
// --json events, annotations) passes scrub() on its way out, wherever the text came from: our own
// messages, a server's error body, a library's debug line.
//
// Process-wide on purpose: a token is learned deep in the transport, and the text that might echo
// it is written by an adapter that never sees the transport.
//
// A run learns hundreds of tokens (one per scope set), and every log line passes scrub(): one
// regex over all of them would be rebuilt at each new token and scanned on every line. Instead the
// secrets are indexed by their first four characters, and a text is scanned once, position by
// position, with a map lookup each: linear in the text, whatever the number of secrets.

/** Shorter values are not scrubbed: masking every "ab" would wreck the output, and a secret that
 * short protects nothing. */
const MIN_LENGTH = 4;
const MASK = '***';

/** First four characters → the secrets starting with them, longest first. */
const index = new Map<string, string[]>();
const known = new Set<string>();
/** The first two characters of every secret, as one number: most positions of a text are ruled
 * out by this without making a string (scrub sees every byte the tool writes). */
const starts = new Set<number>();

/** A JWS in compact form whose header and payload are JSON objects (base64url of `{"`): what a
 * token service issues. */
const JWT = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/y;

/** Registers a secret and the forms it is written in. A token the run obtained needs no other
 * form (`raw`): it is already URL- and JSON-safe, and nobody base64-encodes it again. */
export function addSecret(value: string | undefined, forms: 'all' | 'raw' = 'all'): void {
  if (!value || value.length < MIN_LENGTH) return;
  const written =
    forms === 'raw'
      ? [value]
      : [
          value,
          encodeURIComponent(value),
          JSON.stringify(value).slice(1, -1),
          Buffer.from(value, 'utf8').toString('base64'),
        ];
  for (const form of written) {
    if (form.length < MIN_LENGTH || known.has(form)) continue;
    known.add(form);
    const key = form.slice(0, MIN_LENGTH);
    starts.add(pair(form, 0));
    const list = index.get(key) ?? [];
    // Longest first, so a secret that extends another is masked whole.
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (list[mid]!.length >= form.length) low = mid + 1;
      else high = mid;
    }
    list.splice(low, 0, form);
    index.set(key, list);
  }
}

/** Registers a bearer token the run obtained. A JWT is masked by its shape and not remembered. */
export function addToken(token: string): void {
  JWT.lastIndex = 0;
  if (JWT.exec(token)?.[0].length === token.length) return;
  addSecret(token, 'raw');
}

/** Registers a user name and password, and the Basic header they make (`user:password` in base64). */
export function addCredentials(credentials: { username: string; password: string } | undefined): void {
  if (!credentials) return;
  addSecret(credentials.password);
  addSecret(`${credentials.username}:${credentials.password}`);
}

/** The text with every known secret, and every JWT, replaced by `***`. */
export function scrub(text: string): string {
  if (text.length < MIN_LENGTH || (index.size === 0 && !text.includes('eyJ'))) return text;
  let out = '';
  let copied = 0;
  for (let i = 0; i + MIN_LENGTH <= text.length; ) {
    const found =
      (starts.has(pair(text, i))
        ? index.get(text.slice(i, i + MIN_LENGTH))?.find((secret) => text.startsWith(secret, i))
        : undefined) ?? jwtAt(text, i);
    if (found) {
      out += `${text.slice(copied, i)}${MASK}`;
      i += found.length;
      copied = i;
    } else {
      i += 1;
    }
  }
  return copied === 0 ? text : out + text.slice(copied);
}

function pair(text: string, i: number): number {
  return (text.charCodeAt(i) << 16) | text.charCodeAt(i + 1);
}

function jwtAt(text: string, i: number): string | undefined {
  if (text.charCodeAt(i) !== 101 /* e */ || !text.startsWith('eyJ', i)) return undefined;
  JWT.lastIndex = i;
  return JWT.exec(text)?.[0];
}

/** For tests: forget every secret. */
export function clearSecrets(): void {
  index.clear();
  known.clear();
  starts.clear();
}

/** For tests: how many written forms are remembered. */
export function rememberedSecrets(): number {
  return known.size;
}
