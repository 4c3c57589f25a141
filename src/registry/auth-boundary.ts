// Where one transport's credentials may go (STYLE.md "Trust boundaries"): the origin the user
// named, and the token realm that origin announces in its own challenge, pinned for the run (as
// go-containerregistry takes the realm only from its ping). Never an origin a redirect led to, nor
// a realm such an origin names; never a realm over plain HTTP for an HTTPS registry unless the
// user marked the registry insecure. A refusal is a RegistryError that says why, never a retry.
import type { ErrorCode } from '../errors/codes.js';
import { RegistryError } from '../errors/registry.js';

const REFUSALS = new Set<ErrorCode>(['AUTH_FOREIGN_ORIGIN', 'REALM_INSECURE', 'REALM_REFUSED']);

/** A refusal of ours, as opposed to a registry's answer. */
export function isAuthRefusal(error: RegistryError | undefined): boolean {
  return error !== undefined && REFUSALS.has(error.code);
}

/** A RegistryError for a rule of ours, read `<request>: <reason>`. No status: nothing here is
 * worth retrying. */
export function refusal(code: ErrorCode, request: string, reason: string): RegistryError {
  return new RegistryError({ message: `${request}: ${reason}`, request, code });
}

export class AuthBoundary {
  readonly origin: string;
  private readonly https: boolean;
  private readonly insecure: boolean;
  private realm: string | undefined;

  constructor(registry: URL, insecure: boolean) {
    this.origin = registry.origin;
    this.https = registry.protocol === 'https:';
    this.insecure = insecure;
  }

  /** Credentials (a Basic header or a token) go with a request to this URL. */
  mayAuthorize(url: URL): boolean {
    return url.origin === this.origin;
  }

  /** A 401 from another origin: a redirect target (a CDN, storage) or a Location elsewhere. */
  foreignChallenge(request: string, requested: URL, answered: URL): RegistryError {
    const who = requested.origin === this.origin ? `redirected to ${answered.origin}, which` : answered.origin;
    return refusal(
      'AUTH_FOREIGN_ORIGIN',
      request,
      `${who} asked for credentials (401); credentials are only sent to ${this.origin}`,
    );
  }

  /** The token realm to send credentials to, from a challenge of the registry's own origin: the
   * first one is checked and pinned; a later one must name the same realm. */
  acceptRealm(realm: string, request: string): string {
    if (this.realm !== undefined) {
      if (realm === this.realm) return realm;
      throw refusal(
        'REALM_REFUSED',
        request,
        `${this.origin} now names the token realm ${shown(realm)}, not ${shown(this.realm)} it named first; credentials are only sent to the realm it named first`,
      );
    }
    const url = URL.parse(realm);
    if (!url)
      throw refusal('REALM_REFUSED', request, `${this.origin} names a token realm that is not a URL: ${shown(realm)}`);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw refusal(
        'REALM_REFUSED',
        request,
        `${this.origin} names the token realm ${shown(realm)}, which is not an http(s) URL`,
      );
    }
    if (this.https && url.protocol === 'http:' && !this.insecure) {
      throw refusal(
        'REALM_INSECURE',
        request,
        `the registry ${this.origin} names its token service over plain HTTP (${shown(realm)}): credentials would travel in clear, so none are sent`,
      );
    }
    this.realm = realm;
    return realm;
  }
}

/** A realm for messages: no query string (the registry's to fill, not ours to print), bounded. */
function shown(realm: string): string {
  const url = URL.parse(realm);
  return url ? `${url.origin}${url.pathname}`.slice(0, 200) : JSON.stringify(realm.slice(0, 200));
}
