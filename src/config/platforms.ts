// `platforms: linux/amd64,linux/arm64` as the filter the engine applies (src/transfer/index-filter.ts).
import { ConfigError } from '../errors/base.js';
import { printable } from '../redact/text.js';
import type { PlatformFilter } from '../registry/media-types.js';

export function parsePlatforms(text: string, input = 'platforms'): PlatformFilter[] {
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const [os, architecture, variant, extra] = entry.split('/');
      if (!os || !architecture || extra !== undefined)
        throw new ConfigError(
          `${input}: platform "${printable(entry)}" must be os/architecture or os/architecture/variant, e.g. linux/arm64/v8`,
        );
      return { os, architecture, ...(variant && { variant }) };
    });
}
