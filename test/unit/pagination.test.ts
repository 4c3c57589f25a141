import { describe, it, expect } from 'vitest';
import { nextLink } from '../../src/registry/pagination.js';

const here = new URL('https://reg.example/v2/_catalog?n=100');

describe('Link pagination', () => {
  it('follows a relative next link on the same host', () => {
    expect(nextLink('</v2/_catalog?last=b&n=100>; rel="next"', here)?.href).toBe('https://reg.example/v2/_catalog?last=b&n=100');
  });

  it('picks next out of prev and next joined the way Harbor joins them', () => {
    const header = '</api/v2.0/projects?page=1&page_size=10>; rel="prev" , </api/v2.0/projects?page=3&page_size=10>; rel="next"';
    expect(nextLink(header, here)?.pathname).toBe('/api/v2.0/projects');
    expect(nextLink(header, here)?.searchParams.get('page')).toBe('3');
  });

  it('never follows a link to another host or scheme', () => {
    expect(nextLink('<https://evil.example/v2/_catalog?last=b>; rel="next"', here)).toBeUndefined();
    expect(nextLink('<http://reg.example/v2/_catalog?last=b>; rel="next"', here)).toBeUndefined();
  });

  it('ends when there is no next', () => {
    expect(nextLink(undefined, here)).toBeUndefined();
    expect(nextLink('</x>; rel="prev"', here)).toBeUndefined();
  });
});
