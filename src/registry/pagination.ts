// RFC 5988 `Link: </v2/_catalog?last=x&n=100>; rel="next"` as registries send it for catalog and tag paging.
// Followed only to the same scheme and host (go-containerregistry list.go): a registry must not
// send our credentials somewhere else by way of a Link header. Nor may the list just end there:
// a next page we will not fetch leaves the list incomplete, so that is an error, not the end.
// Nor may it go on forever: a Link back to a page already read, or pages without end, is an error
// too (ListGuard, used by every paged list of the registry client and of Harbor's API).
import { RegistryError } from '../errors/registry.js';
import { printable } from '../redact/text.js';

/** How far a list may go. A real list stays far below: a repository of 200,000 tags is one page of
 * 200,000 entries (distribution sends every tag when no `n` is asked), a catalog of 24,000
 * repositories 24 pages, Harbor's 200,000 artifacts 2,000 pages of 100. The page cap lets a list at
 * the entry cap still be paged 10 at a time (Harbor's default page size, the smallest in use). */
export interface ListLimits {
  pages: number;
  entries: number;
}

export const LIST_LIMITS: ListLimits = { pages: 100_000, entries: 1_000_000 };

/** One paged list being read: each page URL once, at most `limits.pages` pages and
 * `limits.entries` entries. Anything else is LIST_INCOMPLETE naming the list, never a shorter list. */
export class ListGuard {
  private readonly seen = new Set<string>();
  private entries = 0;
  private readonly what: string;
  private readonly limits: ListLimits;

  /** `what` names the list in messages: "the tags of team/app". */
  constructor(what: string, limits: ListLimits = LIST_LIMITS) {
    this.what = what;
    this.limits = limits;
  }

  /** Before `url` is fetched: throws when it was read before (a loop) or when the page cap is reached. */
  page(url: URL): void {
    if (this.seen.has(url.href)) {
      throw this.incomplete(
        url,
        `the next page links back to ${shown(url)}, a page already read: the list would never end`,
      );
    }
    if (this.seen.size >= this.limits.pages) {
      throw this.incomplete(
        url,
        `the list goes on past ${this.limits.pages} pages, more than any real one: not read further`,
      );
    }
    this.seen.add(url.href);
  }

  /** After a page of `count` entries was read from `url`. */
  count(count: number, url: URL): void {
    this.entries += count;
    if (this.entries > this.limits.entries) {
      throw this.incomplete(
        url,
        `the list holds more than ${this.limits.entries} entries, more than any real one: not read further`,
      );
    }
  }

  private incomplete(url: URL, reason: string): RegistryError {
    const request = `GET ${url.pathname}`;
    return new RegistryError({
      message: `${request}: reading ${this.what} failed: ${reason}`,
      request,
      code: 'LIST_INCOMPLETE',
    });
  }
}

/** A page's path and query as a message may show them: short, printable. */
function shown(url: URL): string {
  const text = printable(`${url.pathname}${url.search}`);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

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
