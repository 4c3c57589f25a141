import { describe, it, expect } from 'vitest';
import { nextLink } from '../../src/registry/pagination.js';

const here = new URL('https://reg.example/v2/_catalog?n=100');

describe('Link pagination', () => {
  it('follows a relative next link on the same host', () => {
    expect(nextLink('</v2/_catalog?last=b&n=100>; rel="next"', here)?.href).toBe(
      'https://reg.example/v2/_catalog?last=b&n=100',
    );
  });

  it('picks next out of prev and next joined the way Harbor joins them', () => {
    const header =
      '</api/v2.0/projects?page=1&page_size=10>; rel="prev" , </api/v2.0/projects?page=3&page_size=10>; rel="next"';
    expect(nextLink(header, here)?.pathname).toBe('/api/v2.0/projects');
    expect(nextLink(header, here)?.searchParams.get('page')).toBe('3');
  });

  it('never follows a link to another host or scheme, and says so instead of ending the list', () => {
    expect(() => nextLink('<https://evil.example/v2/_catalog?last=b>; rel="next"', here)).toThrow(
      expect.objectContaining({
        code: 'LIST_INCOMPLETE',
        request: 'GET /v2/_catalog',
        message:
          'GET /v2/_catalog: the next page is linked on https://evil.example, another origin than https://reg.example: not followed (credentials stay with their origin), so the list would be incomplete',
      }),
    );
    expect(() => nextLink('<http://reg.example/v2/_catalog?last=b>; rel="next"', here)).toThrow(
      /linked on http:\/\/reg\.example, another origin than https:\/\/reg\.example/,
    );
    expect(() => nextLink('<https://reg.example:8443/v2/_catalog?last=b>; rel="next"', here)).toThrow(
      expect.objectContaining({ code: 'LIST_INCOMPLETE' }),
    );
    // A foreign "prev" does not matter: only the next page is fetched.
    expect(nextLink('<https://evil.example/x>; rel="prev", </v2/_catalog?last=c>; rel="next"', here)?.href).toBe(
      'https://reg.example/v2/_catalog?last=c',
    );
  });

  it('a next link that is not a URL is an error too', () => {
    expect(() => nextLink('<http://[::1>; rel="next"', here)).toThrow(
      expect.objectContaining({ code: 'LIST_INCOMPLETE' }),
    );
  });

  it('ends when there is no next', () => {
    expect(nextLink(undefined, here)).toBeUndefined();
    expect(nextLink('</x>; rel="prev"', here)).toBeUndefined();
  });
});
