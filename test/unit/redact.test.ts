// The redaction point: every known secret, in every form it travels in, leaves no trace in what
// the tool writes; text from outside is shown as a short printable excerpt.
import { afterEach, describe, expect, it } from 'vitest';
import {
  addCredentials,
  addSecret,
  addToken,
  clearSecrets,
  rememberedSecrets,
  scrub,
} from '../../src/redact/secrets.js';
import { escapeControl, excerpt, printable } from '../../src/redact/text.js';
import { parseErrorBody } from '../../src/errors/registry.js';

afterEach(() => clearSecrets());

describe('scrub', () => {
  it('removes a password in plain, URL-encoded, JSON-escaped and Basic-header form', () => {
    const password = 'p@ss "w/rd"';
    addCredentials({ username: 'robot$sync', password });
    const basic = Buffer.from(`robot$sync:${password}`).toString('base64');
    const text = [
      password,
      encodeURIComponent(password),
      JSON.stringify(password),
      `Authorization: Basic ${basic}`,
    ].join(' | ');
    const clean = scrub(text);
    expect(clean).not.toContain(password);
    expect(clean).not.toContain(encodeURIComponent(password));
    expect(clean).not.toContain(JSON.stringify(password).slice(1, -1));
    expect(clean).not.toContain(basic);
    expect(clean).toContain('Authorization: Basic ***');
    // The user name is not a secret: messages name the account.
    expect(scrub('user robot$sync')).toBe('user robot$sync');
  });

  it('removes a bearer token the run obtained, and leaves text alone when nothing is known', () => {
    expect(scrub('Bearer eyJhbGciOi.abc.def')).toBe('Bearer eyJhbGciOi.abc.def');
    addSecret('eyJhbGciOi.abc.def');
    expect(scrub('{"detail":"Bearer eyJhbGciOi.abc.def"}')).toBe('{"detail":"Bearer ***"}');
  });

  it('masks every JWT by its shape, so a run of 30,000 repository tokens remembers none of them', () => {
    const jwt = (n: number): string =>
      `${Buffer.from('{"typ":"JWT","alg":"RS256"}').toString('base64url')}.${Buffer.from(`{"sub":"admin","n":${n}}`).toString('base64url')}.c2lnbmF0dXJl${n}`;
    const started = performance.now();
    for (let n = 0; n < 30_000; n++) addToken(jwt(n));
    expect(rememberedSecrets()).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000);
    // Never registered, still masked: in a header, an error body, a URL.
    expect(scrub(`Authorization: Bearer ${jwt(123_456)}`)).toBe('Authorization: Bearer ***');
    expect(scrub(`{"detail":"token ${jwt(7)} expired"}`)).toBe('{"detail":"token *** expired"}');
    expect(scrub(`GET /v2/?t=${jwt(8)}&x=1`)).toBe('GET /v2/?t=***&x=1');
    // An opaque token has no shape to go by: it is remembered, and masked.
    addToken('opaque-token-0123456789');
    expect(rememberedSecrets()).toBe(1);
    expect(scrub('Bearer opaque-token-0123456789')).toBe('Bearer ***');
    // Base64 that is not a JWT (a cosign payload, a config blob) is left alone.
    const payload = Buffer.from('{"critical":{"identity":{}}}').toString('base64');
    expect(scrub(payload)).toBe(payload);
  });

  it('remembers many opaque secrets sharing a prefix without slowing down, longest matched first', () => {
    const started = performance.now();
    for (let n = 0; n < 20_000; n++) addToken(`ghs_${String(n).padStart(8, '0')}abcdef`);
    // Sorting the list again at each one took minutes here.
    expect(performance.now() - started).toBeLessThan(5_000);
    addSecret('ghs_00000001abcdef-longer');
    expect(scrub('x ghs_00000001abcdef-longer y ghs_00019999abcdef z')).toBe('x *** y *** z');
  });

  it('tells apart secrets that share their first two characters, wherever they stand', () => {
    addSecret('abcd1234');
    addSecret('abxy5678');
    addSecret('é→ü✓secret');
    expect(scrub('abcd1234abxy5678 abcd123 abxy abé→ü✓secret!')).toBe('****** abcd123 abxy ab***!');
    expect(scrub('abxy5678')).toBe('***');
  });

  it('does not scrub values too short to be secrets', () => {
    addSecret('ab');
    expect(scrub('table cab')).toBe('table cab');
  });
});

describe('text from outside', () => {
  it('escapes terminal control characters, keeping newlines where a message may have them', () => {
    expect(escapeControl('a\x1b[2Jb\nc\x07')).toBe('a\\x1b[2Jb\nc\\x07');
    expect(printable('a\nb\tc\u009b')).toBe('a\\x0ab\\x09c\\x9b');
  });

  it('cuts a server body to one short printable line', () => {
    const body = `<html>\n<body>${'x'.repeat(500)}\x1b[31m</body>`;
    const cut = excerpt(body, 200);
    expect(cut.length).toBeLessThanOrEqual(200);
    expect(cut).not.toMatch(/[\n\x1b]/);
  });

  it('parses error bodies into excerpts: messages single-line and bounded, codes only identifiers', () => {
    const [entry] = parseErrorBody(
      JSON.stringify({ errors: [{ code: 'DENIED\x1b[2J', message: `line one\nline two ${'y'.repeat(1000)}` }] }),
    );
    expect(entry!.code).toBe('UNKNOWN');
    expect(entry!.message).not.toContain('\n');
    expect(entry!.message.length).toBeLessThanOrEqual(300);
    const [html] = parseErrorBody(`<html><body>\x1b]0;owned\x07 ${'z'.repeat(5000)}</body></html>`);
    expect(html!.code).toBe('UNKNOWN');
    expect(html!.message.length).toBeLessThanOrEqual(200);
    expect(html!.message).not.toMatch(/[\x00-\x1f]/);
  });
});
