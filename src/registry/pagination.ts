// RFC 5988 `Link: </v2/_catalog?last=x&n=100>; rel="next"` as registries send it for catalog and tag paging.
// Followed only to the same scheme and host (go-containerregistry list.go): a registry must not
// send our credentials somewhere else by way of a Link header. Nor may the list just end there:
// a next page we will not fetch leaves the list incomplete, so that is an error, not the end.
import { RegistryError } from '../errors/registry.js';

/** The next page on the same origin, or undefined when there is none. Throws a RegistryError with
 * code LIST_INCOMPLETE when the next page is on another origin (or scheme), or not a URL. */
export function nextLink(header: string | undefined, current: URL): URL | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!m || !/\brel\s*=\s*"?next"?/i.test(m[2]!)) continue;
    const next = URL.parse(m[1]!, current.href);
    if (!next)
      throw linkError(
        current,
        `the next page is linked as ${JSON.stringify(m[1]!.slice(0, 200))}, which is not a URL, so the list would be incomplete`,
      );
    if (next.origin !== current.origin) {
      throw linkError(
        current,
        `the next page is linked on ${next.origin.slice(0, 200)}, another origin than ${current.origin}: not followed (credentials stay with their origin), so the list would be incomplete`,
      );
    }
    return next;
  }
  return undefined;
}

function linkError(current: URL, reason: string): RegistryError {
  const request = `GET ${current.pathname}`;
  return new RegistryError({ message: `${request}: ${reason}`, request, code: 'LIST_INCOMPLETE' });
}
