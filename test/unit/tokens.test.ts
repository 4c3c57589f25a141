// The token cache: one fetch per scope set while the token lives; creating a Harbor project drops
// only the tokens that name it (docs/harbor.md §1), not every token of the run.
import { describe, it, expect } from 'vitest';
import { MockAgent } from 'undici';
import { TokenCache } from '../../src/registry/tokens.ts';
import { clearSecrets, scrub } from '../../src/redact/secrets.ts';

const challenge = { realm: 'http://harbor.test/service/token', service: 'harbor-registry', scopes: [] };

function tokenService(): { agent: MockAgent; fetched: string[] } {
  const agent = new MockAgent();
  agent.disableNetConnect();
  const fetched: string[] = [];
  agent
    .get('http://harbor.test')
    .intercept({ path: (p) => p.startsWith('/service/token'), method: 'GET' })
    .reply(200, (opts) => {
      const scopes = new URL(String(opts.path), 'http://harbor.test').searchParams.getAll('scope').join(' ');
      fetched.push(scopes);
      return { token: `t${fetched.length}`, expires_in: 1800 };
    })
    .persist();
  return { agent, fetched };
}

describe('TokenCache', () => {
  it('fetches once per scope set, and again only for the project that was created', async () => {
    const { agent, fetched } = tokenService();
    const cache = new TokenCache(agent, { username: 'u', password: 'p' }, 'test');
    const a = ['repository:team-a/app:pull,push'];
    const a2 = ['repository:team-a/app:pull,push', 'repository:team-ab/base:pull'];
    const b = ['repository:team-ab/base:pull,push'];
    const first = [await cache.get(challenge, a), await cache.get(challenge, a2), await cache.get(challenge, b)];
    expect(await cache.get(challenge, a)).toBe(first[0]);
    expect(fetched).toHaveLength(3);

    cache.invalidateProject('team-a');
    // team-a's tokens are fetched anew; team-ab (a longer name with the same start) keeps its own.
    // The new push token on team-a/app also asks pull on team-ab/base, the run's mount source, so
    // it serves the mount's scopes too: one fetch for both.
    const again = await cache.get(challenge, a);
    expect(again).not.toBe(first[0]);
    expect(await cache.get(challenge, a2)).toBe(again);
    expect(again).not.toBe(first[1]);
    expect(await cache.get(challenge, b)).toBe(first[2]);
    expect(fetched).toHaveLength(4);
    expect(fetched[3]).toBe('repository:team-a/app:pull,push repository:team-ab/base:pull');
    await agent.close();
  });

  it("asks pull on the run's recent mount sources with each push token: one token per repository", async () => {
    const { agent, fetched } = tokenService();
    const cache = new TokenCache(agent, undefined, 'test');
    const push = (r: string) => `repository:${r}:pull,push`;
    const pull = (r: string) => `repository:${r}:pull`;
    // The first repository learns the mount source: its uploads and its mount take a token each.
    await cache.get(challenge, [push('t/app-0')]);
    await cache.get(challenge, [push('t/app-0'), pull('t/base')]);
    expect(fetched).toEqual([push('t/app-0'), `${push('t/app-0')} ${pull('t/base')}`]);
    // Every later repository: one token, whichever of its requests comes first.
    for (let n = 1; n <= 3; n++) {
      const upload = await cache.get(challenge, [push(`t/app-${n}`)]);
      expect(await cache.get(challenge, [push(`t/app-${n}`), pull('t/base')])).toBe(upload);
      expect(await cache.get(challenge, [push(`t/app-${n}`)])).toBe(upload);
    }
    const mountFirst = await cache.get(challenge, [push('t/app-4'), pull('t/base')]);
    expect(await cache.get(challenge, [push('t/app-4')])).toBe(mountFirst);
    expect(fetched.slice(2)).toEqual([1, 2, 3, 4].map((n) => `${push(`t/app-${n}`)} ${pull('t/base')}`));

    // The mount source's own push token does not ask pull on itself; a pull-only token asks nothing more.
    await cache.get(challenge, [push('t/base')]);
    await cache.get(challenge, [pull('t/app-1')]);
    expect(fetched.slice(-2)).toEqual([push('t/base'), pull('t/app-1')]);

    // At most the four newest sources ride along (a long token URL is refused, docs/harbor.md §10).
    for (const s of ['s1', 's2', 's3', 's4', 's5']) await cache.get(challenge, [push('t/app-0'), pull(`t/${s}`)]);
    await cache.get(challenge, [push('t/app-9')]);
    expect(fetched.at(-1)).toBe([push('t/app-9'), ...['s5', 's4', 's3', 's2'].map((s) => pull(`t/${s}`))].join(' '));

    // A refused token is forgotten whichever scopes it served: the next request fetches anew.
    const before = fetched.length;
    cache.invalidate(challenge, [push('t/app-2'), pull('t/base')]);
    await cache.get(challenge, [push('t/app-2')]);
    expect(fetched).toHaveLength(before + 1);
    await agent.close();
  });

  it('keeps the 512 most recently used tokens, not one per repository of the catalog', async () => {
    const { agent, fetched } = tokenService();
    const cache = new TokenCache(agent, undefined, 'test');
    const scope = (n: number): string[] => [`repository:team/app-${n}:pull,push`];
    const hot = await cache.get(challenge, scope(0));
    for (let n = 1; n <= 2_000; n++) {
      await cache.get(challenge, scope(n));
      // A repository still being worked on keeps its token however many others come after it.
      if (n % 100 === 0) expect(await cache.get(challenge, scope(0))).toBe(hot);
    }
    expect(fetched).toHaveLength(2_001);
    expect(await cache.get(challenge, scope(2_000))).toBe('t2001'); // recent: still cached
    await cache.get(challenge, scope(1)); // long unused: fetched again
    expect(fetched).toHaveLength(2_002);
    await agent.close();
  });

  it('registers every token it obtains with the redaction point', async () => {
    clearSecrets();
    const agent = new MockAgent();
    agent.disableNetConnect();
    agent
      .get('http://harbor.test')
      .intercept({ path: (p) => p.startsWith('/service/token'), method: 'GET' })
      .reply(200, { token: 'eyJ.a-real-looking.token' });
    const cache = new TokenCache(agent, undefined, 'test');
    expect(await cache.get(challenge, ['repository:p/r:pull'])).toBe('eyJ.a-real-looking.token');
    expect(scrub('Authorization: Bearer eyJ.a-real-looking.token')).toBe('Authorization: Bearer ***');
    await agent.close();
    clearSecrets();
  });
});
