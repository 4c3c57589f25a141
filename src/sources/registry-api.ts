// http:// and https://: a registry's distribution API (unless the URL names a tarball, which
// storage-archive.ts downloads). The source every registry speaks; its client is the HTTP one.
import { createRegistryClient } from '../registry/distribution-client.js';
import { SourceUrlError, schemeOf, type SourceKind } from './kind.js';
import { isTarballDownload } from './storage.js';

export const registryApi: SourceKind = {
  name: 'registry API',
  schemes: ['http', 'https'],
  written: 'http:// or https:// for a registry',
  forms: 'http:// or https://',
  traits: {
    untaggedManifests: false,
    localReads: false,
    dockerCredentials: true,
    sourceCredentials: 'registry',
    workDir: false,
  },
  claims(url) {
    const scheme = schemeOf(url);
    return (scheme === 'http' || scheme === 'https') && !isTarballDownload(url);
  },
  check(url) {
    const parsed = URL.parse(url.trim());
    if (!parsed) throw new SourceUrlError('not a valid URL: write it as https://registry.example.com');
    const text = parsed.toString();
    // Without its trailing slash, as harbor-url; kept where dropping it would name a tarball.
    return isTarballDownload(text.replace(/\/$/, '')) ? text : text.replace(/\/$/, '');
  },
  open({ source, connection }) {
    return createRegistryClient({
      ...connection,
      url: source.url,
      ...(source.credentials && { credentials: source.credentials }),
      ...(source.tls && { tls: source.tls }),
    });
  },
};
