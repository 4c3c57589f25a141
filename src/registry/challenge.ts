// Parses WWW-Authenticate challenges (RFC 7235) as registries send them:
//   Bearer realm="https://h/service/token",service="harbor-registry",scope="repository:p/r:pull"
//   Basic realm="harbor"

export interface Challenge {
  scheme: 'basic' | 'bearer' | 'other';
  params: Record<string, string>;
}

export interface BearerChallenge {
  realm: string;
  service?: string;
  scopes: string[];
  /** `insufficient_scope`, `invalid_token`, … when the registry says why. */
  error?: string;
}

/** Splits a header that may hold several challenges into each scheme with its parameters. */
export function parseChallenges(header: string | undefined | null): Challenge[] {
  if (!header) return [];
  const challenges: Challenge[] = [];
  // scheme token, then comma-separated key=value or key="quoted value" pairs.
  const re =
    /([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s+((?:[A-Za-z0-9!#$%&'*+.^_`|~-]+\s*=\s*(?:"(?:[^"\\]|\\.)*"|[^,\s]*)\s*,?\s*)*))?/g;
  let rest = header.trim();
  while (rest.length > 0) {
    re.lastIndex = 0;
    const m = re.exec(rest);
    if (m?.index !== 0) break;
    const scheme = m[1]!.toLowerCase();
    challenges.push({
      scheme: scheme === 'basic' ? 'basic' : scheme === 'bearer' ? 'bearer' : 'other',
      params: parseParams(m[2] ?? ''),
    });
    rest = rest.slice(m[0].length).replace(/^[\s,]+/, '');
  }
  return challenges;
}

function parseParams(text: string): Record<string, string> {
  const params: Record<string, string> = {};
  const re = /([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g;
  for (const m of text.matchAll(re)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return params;
}

/** The Bearer challenge, if the header offers one with a realm. */
export function bearerChallenge(header: string | undefined | null): BearerChallenge | undefined {
  const bearer = parseChallenges(header).find((c) => c.scheme === 'bearer' && c.params.realm);
  if (!bearer) return undefined;
  const { realm, service, scope, error } = bearer.params;
  return {
    realm: realm!,
    service: service || undefined,
    scopes: scope ? scope.split(' ').filter(Boolean) : [],
    error: error || undefined,
  };
}

export function offersBasic(header: string | undefined | null): boolean {
  return parseChallenges(header).some((c) => c.scheme === 'basic');
}
