// RS256 JWTs as Harbor's token service issues them, with node:crypto only.
import { createHash, createPrivateKey, createPublicKey, randomUUID, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const TOKEN_ISSUER = 'harbor-token-issuer'; // docs/harbor.md §1
export const TOKEN_SERVICE = 'harbor-registry'; // docs/harbor.md §1

export const CERT_PATH = fileURLToPath(new URL('./fixtures/token-cert.pem', import.meta.url));
export const KEY_PATH = fileURLToPath(new URL('./fixtures/token-key.pem', import.meta.url));

export interface Access {
  type: string;
  name: string;
  actions: string[];
}
export interface TokenClaims {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  nbf: number;
  iat: number;
  jti: string;
  access: Access[];
}

export interface Signer {
  kid: string;
  issue(sub: string, access: Access[], ttlSeconds: number, now?: number): { token: string; claims: TokenClaims };
  /** The claims when signature, issuer, audience and expiry check out; undefined otherwise. */
  verify(token: string, now?: number): TokenClaims | undefined;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/** docs/harbor.md §9: libtrust key ID = base32(sha256(DER SPKI)[0:30]) in groups of 4 joined by ':'. */
export function libtrustKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const sum = createHash('sha256').update(der).digest().subarray(0, 30);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of sum) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  // 30 bytes = 240 bits = exactly 48 characters, so there is never a partial group or padding.
  return out.match(/.{1,4}/g)!.join(':');
}

export function loadSigner(keyPath = KEY_PATH): Signer {
  const privateKey = createPrivateKey(readFileSync(keyPath));
  const publicKey = createPublicKey(privateKey);
  const kid = libtrustKeyId(publicKey);
  const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', kid }));
  return {
    kid,
    issue(sub, access, ttlSeconds, now = Date.now()) {
      const iat = Math.floor(now / 1000);
      const claims: TokenClaims = {
        iss: TOKEN_ISSUER,
        sub,
        aud: TOKEN_SERVICE,
        exp: iat + ttlSeconds,
        nbf: iat,
        iat,
        jti: randomUUID(),
        access,
      };
      const input = `${header}.${b64url(JSON.stringify(claims))}`;
      const signature = sign('sha256', Buffer.from(input), privateKey);
      return { token: `${input}.${b64url(signature)}`, claims };
    },
    verify(token, now = Date.now()) {
      const parts = token.split('.');
      if (parts.length !== 3) return undefined;
      const [h, p, s] = parts as [string, string, string];
      try {
        const head = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as { alg?: string };
        if (head.alg !== 'RS256') return undefined;
        if (!verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))) return undefined;
        const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as TokenClaims;
        const secs = Math.floor(now / 1000);
        if (claims.iss !== TOKEN_ISSUER || claims.aud !== TOKEN_SERVICE) return undefined;
        if (typeof claims.exp !== 'number' || claims.exp <= secs) return undefined;
        if (typeof claims.nbf === 'number' && claims.nbf > secs + 5) return undefined;
        if (!Array.isArray(claims.access)) claims.access = [];
        return claims;
      } catch {
        return undefined;
      }
    },
  };
}
