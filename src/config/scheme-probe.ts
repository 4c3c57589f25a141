// A registry URL written without its scheme (`127.0.0.1:5000`): rather than guess https:// for a
// host that speaks plain HTTP, ask the host. A TLS hello answered with TLS means https://; one
// answered in plain HTTP (OpenSSL's "wrong version number") means http://; no answer, no guess.
import { isIP } from 'node:net';
import { connect } from 'node:tls';

const PROBE_MS = 3000;

export function probeScheme(hostPort: string): Promise<'https' | 'http' | undefined> {
  const url = URL.parse(`https://${hostPort}`);
  if (!url) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    // SNI takes names only: an IP address as servername is deprecated and ignored.
    const socket = connect({
      host,
      port: Number(url.port || 443),
      ...(isIP(host) === 0 && { servername: host }),
      rejectUnauthorized: false,
      timeout: PROBE_MS,
    });
    const done = (scheme: 'https' | 'http' | undefined): void => {
      socket.destroy();
      resolve(scheme);
    };
    socket.once('secureConnect', () => done('https'));
    socket.once('timeout', () => done(undefined));
    socket.once('error', (error: NodeJS.ErrnoException) =>
      done(
        error.code === 'EPROTO' ||
          error.code === 'ERR_SSL_WRONG_VERSION_NUMBER' ||
          /wrong version number/i.test(error.message)
          ? 'http'
          : undefined,
      ),
    );
  });
}
