// RFC 5988 `Link: </v2/_catalog?last=x&n=100>; rel="next"` as registries send it for catalog and tag paging.
// Followed only to the same scheme and host (go-containerregistry list.go): a registry must not
// send our credentials somewhere else by way of a Link header.

export function nextLink(header: string | undefined, current: URL): URL | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (!m || !/\brel\s*=\s*"?next"?/i.test(m[2]!)) continue;
    const next = new URL(m[1]!, current);
    if (next.protocol !== current.protocol || next.host !== current.host) return undefined;
    return next;
  }
  return undefined;
}
