// The one place that knows every secret of the run (SECURITY.md): passwords and robot secrets from
// the inputs, bearer tokens the run obtained, and the encodings they travel in (the Basic header,
// URL, JSON and XML/HTML escaping). Whatever the tool writes (stdout, stderr, the report, the summary,
// --json events, annotations) passes scrub() on its way out, wherever the text came from: our own
// messages, a server's error body, a library's debug line.
//
// Process-wide on purpose: a token is learned deep in the transport, and the text that might echo
// it is written by an adapter that never sees the transport.
//
// A run learns hundreds of tokens (one per scope set), and every log line passes scrub(): one
// regex over all of them would be rebuilt at each new token and scanned on every line. Instead the
// secrets are indexed by their first four characters, as two numbers (characters 1–2, then 3–4),
// and a text is scanned once, position by position, with a map lookup each: linear in the text,
// whatever the number of secrets, and without making a string per position (a run's hundreds of
// tokens start with most common letter pairs, and scrub sees every byte the tool writes).

/** Shorter values are not scrubbed: masking every "ab" would wreck the output, and a secret that
 * short protects nothing. */
const MIN_LENGTH = 4;
const MASK = '***';

/** Characters 1–2 → characters 3–4 → the secrets starting with those four, longest first. */
const index = new Map<number, Map<number, string[]>>();
const known = new Set<string>();

/** A JWS in compact form whose header and payload are JSON objects (base64url of `{"`): what a
 * token service issues. */
const JWT = /eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/y;

const MARKUP_REFERENCES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

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
          // As the JUnit report and the HTML page write text (src/report/escape.ts, markup).
          value.replace(/[&<>"']/g, (c) => MARKUP_REFERENCES[c]!),
        ];
  for (const form of written) {
    if (form.length < MIN_LENGTH || known.has(form)) continue;
    known.add(form);
    const second = index.get(pair(form, 0)) ?? new Map<number, string[]>();
    index.set(pair(form, 0), second);
    const list = second.get(pair(form, 2)) ?? [];
    // Longest first, so a secret that extends another is masked whole.
    let low = 0;
    let high = list.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (list[mid]!.length >= form.length) low = mid + 1;
      else high = mid;
    }
    list.splice(low, 0, form);
    second.set(pair(form, 2), list);
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
    const found = secretAt(index.get(pair(text, i))?.get(pair(text, i + 2)), text, i) ?? jwtAt(text, i);
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

/** The longest of `secrets` written at `i`. A plain loop: a closure over `i` here would make the
 * loop allocate a scope for every character it scans. */
function secretAt(secrets: string[] | undefined, text: string, i: number): string | undefined {
  if (!secrets) return undefined;
  for (const secret of secrets) if (text.startsWith(secret, i)) return secret;
  return undefined;
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
}

/** For tests: how many written forms are remembered. */
export function rememberedSecrets(): number {
  return known.size;
}
