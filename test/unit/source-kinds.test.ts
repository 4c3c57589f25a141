// The source kinds (src/sources): each claims its schemes and no URL is claimed by two; what a kind
// says it can do is what its client does; the input's description and docs/sources.md name them all.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { INPUTS } from '../../src/config/input-list.js';
import { INPUT_NAMING } from '../../src/model/config.js';
import { DEFAULT_RETRY_POLICY } from '../../src/registry/retry.js';
import {
  SOURCE_KINDS,
  SourceUrlError,
  sourceKind,
  sourceSchemes,
  type OpenContext,
} from '../../src/sources/source-kinds.js';
import { schemeOf } from '../../src/sources/kind.js';

const root = new URL('../../', import.meta.url);

/** URLs as users write them, and as they mistype them. */
const PATHS = [
  '',
  '/',
  '/v2/',
  '/registry.tar',
  '/registry.tar.gz',
  '/backup/registry.TGZ',
  '/registry.tar.zst',
  '/registry.tzst?sig=abc&x=1',
  '/registry.tar.gz#frag',
  '/registry.tar.gz/',
  '/registry.tar.xz',
  '/var/lib/registry',
  '/my%20registry',
];
const HOSTS = ['', 'localhost', 'registry.example.com:5000', 'u:p@host', '[::1]:5000'];
const SCHEMES = [...new Set(SOURCE_KINDS.flatMap((k) => k.schemes)), 'ftp', 'oci', 'docker', 's3'];
const CORPUS = [
  ...SCHEMES.flatMap((scheme) =>
    [scheme, scheme.toUpperCase()].flatMap((s) =>
      HOSTS.flatMap((host) => PATHS.map((path) => `${s}://${host}${path}`)),
    ),
  ),
  'http:registry.example.com',
  '  https://registry.example.com  ',
  'dir:/var/lib/registry',
  'registry.example.com:5000',
  '127.0.0.1:5000',
  '/backup/registry.tar',
  './registry',
  '',
  'https://',
  'file://',
];

const claimants = (url: string) => SOURCE_KINDS.filter((kind) => kind.claims(url)).map((kind) => kind.name);

describe('source kinds', () => {
  it('are registered with distinct names, and each takes at least one scheme', () => {
    expect(SOURCE_KINDS.map((k) => k.name)).toEqual([
      'registry API',
      'storage directory',
      'storage archive',
      'Harbor project',
    ]);
    for (const kind of SOURCE_KINDS) expect(kind.schemes.length, kind.name).toBeGreaterThan(0);
  });

  it('claim no URL twice', () => {
    const twice = CORPUS.filter((url) => claimants(url).length > 1).map((url) => `${url}: ${claimants(url)}`);
    expect(twice).toEqual([]);
  });

  it('each claims its schemes, and only those', () => {
    for (const kind of SOURCE_KINDS) {
      for (const scheme of kind.schemes) {
        const claimed = CORPUS.filter((url) => schemeOf(url) === scheme && kind.claims(url));
        expect(claimed.length, `${kind.name} claims no ${scheme}: URL`).toBeGreaterThan(0);
      }
      const others = CORPUS.filter((url) => kind.claims(url) && !kind.schemes.includes(schemeOf(url) ?? ''));
      expect(others, kind.name).toEqual([]);
    }
  });

  it('leave no URL of a registered scheme unclaimed, and claim none of another', () => {
    const registered = new Set(SOURCE_KINDS.flatMap((k) => k.schemes));
    for (const url of CORPUS) {
      const scheme = schemeOf(url);
      expect(claimants(url).length, url).toBe(scheme !== undefined && registered.has(scheme) ? 1 : 0);
    }
  });

  it('keep a URL their own once checked: the engine finds the kind the configuration found', () => {
    for (const url of CORPUS) {
      const kind = sourceKind(url);
      if (!kind) continue;
      let checked: string;
      try {
        checked = kind.check(url);
      } catch (error) {
        expect(error, url).toBeInstanceOf(SourceUrlError);
        continue;
      }
      expect(sourceKind(checked)?.name, `${url} → ${checked}`).toBe(kind.name);
    }
  });

  it('tell a registry from a tarball to download on the same scheme, by the name of the file', () => {
    expect(sourceKind('https://registry.example.com')?.name).toBe('registry API');
    expect(sourceKind('http://127.0.0.1:5000/')?.name).toBe('registry API');
    expect(sourceKind('https://backups.example.com/registry.tar.gz?X-Amz-Signature=abc')?.name).toBe('storage archive');
    expect(sourceKind('HTTPS://backups.example.com/r.TGZ')?.name).toBe('storage archive');
    expect(sourceKind('https://backups.example.com/registry.tar.xz')?.name).toBe('registry API');
    expect(sourceKind('DIR:///var/lib/registry')?.name).toBe('storage directory');
    expect(sourceKind('file:///backup/registry.tar')?.name).toBe('storage archive');
    expect(sourceKind('registry.example.com:5000')).toBeUndefined();
  });

  it('say what their client can do before it is opened', async () => {
    const context = (url: string): OpenContext => ({
      source: { url },
      harbor: { url: 'https://harbor.example.com' },
      connection: { userAgent: 'test', retry: DEFAULT_RETRY_POLICY, stallTimeoutSeconds: 5, connections: 1 },
      naming: INPUT_NAMING,
    });
    const urls: Record<string, string> = {
      'registry API': 'https://registry.example.com',
      'storage directory': 'dir:///nowhere/registry',
      'storage archive': 'file:///nowhere/registry.tar',
      'Harbor project': 'harbor://hub-proxy',
    };
    for (const kind of SOURCE_KINDS) {
      const url = urls[kind.name];
      if (url === undefined) throw new Error(`add a URL of ${kind.name} to this test`);
      expect(sourceKind(url), url).toBe(kind);
      // Created, not opened: no request, no file read.
      const client = kind.open(context(kind.check(url)));
      expect(client.capabilities, kind.name).toMatchObject({
        untaggedManifests: kind.traits.untaggedManifests,
        localReads: kind.traits.localReads,
      });
      await client.close();
    }
  });

  it('are all listed where a message names the schemes', () => {
    expect(sourceSchemes()).toBe(
      'http:// or https:// for a registry, dir:// for its storage directory, file:// for a tarball of that directory, harbor:// for a project of the Harbor at harbor-url',
    );
    for (const kind of SOURCE_KINDS) expect(sourceSchemes()).toContain(kind.written);
  });

  it("are named in the source-registry input's description, in the CLI and in action.yml", () => {
    const cli = INPUTS.find((i) => i.name === 'source-registry')!.description;
    const action = (
      parse(readFileSync(new URL('action.yml', root), 'utf8')) as {
        inputs: Record<string, { description: string }>;
      }
    ).inputs['source-registry']!.description;
    for (const kind of SOURCE_KINDS)
      for (const scheme of kind.schemes) {
        expect(cli, `${kind.name}: ${scheme}://`).toContain(`${scheme}://`);
        expect(action, `${kind.name}: ${scheme}://`).toContain(`${scheme}://`);
      }
  });

  it('are each a row of the table in docs/sources.md, saying what the kind says', () => {
    const doc = readFileSync(new URL('docs/sources.md', root), 'utf8');
    const rows = doc
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| kind') && !line.startsWith('| ---'))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    const yes = (flag: boolean) => (flag ? 'yes' : 'no');
    const goTo = {
      registry: 'the registry',
      download: "the download's origin",
      unused: 'nowhere',
      harbor: "Harbor, instead of harbor-username's account",
    };
    expect(
      rows.map(([name, url, ...rest]) => [
        name,
        SOURCE_KINDS.find((k) => k.name === name)?.schemes.every((s) => url!.includes(`\`${s}://`)),
        ...rest,
      ]),
    ).toEqual(
      SOURCE_KINDS.map((k) => [
        k.name,
        true,
        yes(k.traits.untaggedManifests),
        yes(k.traits.localReads),
        yes(k.traits.dockerCredentials),
        goTo[k.traits.sourceCredentials],
        yes(k.traits.workDir),
      ]),
    );
  });
});
