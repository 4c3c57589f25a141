// `platforms: linux/amd64,linux/arm64` as the filter the engine applies (src/sync/platforms.ts).
import { ConfigError } from '../errors/base.js';
import type { PlatformFilter } from '../sync/platforms.js';

export function parsePlatforms(text: string): PlatformFilter[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const [os, architecture, variant, extra] = entry.split('/');
      if (!os || !architecture || extra !== undefined) throw new ConfigError(`platforms: platform "${entry}" must be os/architecture or os/architecture/variant, e.g. linux/arm64/v8`);
      return { os, architecture, ...(variant && { variant }) };
    });
}
