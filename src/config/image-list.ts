// The `images` input and `images-file`: one reference per line or comma separated, `#` starts a
// comment; every error names where the reference was written.
import { ConfigError, isHarborSyncError } from '../errors/base.js';
import { parseImageReference } from '../registry/reference.js';
import type { ImageSpec } from '../model/config.js';
import { ACTION_NAMES, type InputNames } from './option-names.js';
import type { FileKind } from './read-file.js';

export function parseImageList(text: string, origin: string, sourceHost?: string): ImageSpec[] {
  const specs: ImageSpec[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/#.*$/, '');
    for (const item of line.split(',')) {
      if (!item.trim()) continue;
      const where = `${origin} line ${index + 1}`;
      try {
        specs.push({ ...parseImageReference(item, sourceHost), origin: where });
      } catch (error) {
        if (isHarborSyncError(error)) throw new ConfigError(`${where}: ${error.message}`);
        throw error;
      }
    }
  });
  return specs;
}

/** `images` and `images-file` together; none at all is an error unless the catalog is synced. */
export async function imageSpecs(
  inline: string,
  file: string,
  sourceHost: string,
  load: (path: string, kind: FileKind) => Promise<string>,
  catalog: boolean,
  names: InputNames = ACTION_NAMES,
): Promise<ImageSpec[]> {
  const specs = parseImageList(inline, names.name('images'), sourceHost);
  if (file) {
    let text: string;
    try {
      text = await load(file, 'images-file');
    } catch (error) {
      throw new ConfigError(`${names.name('images-file')} "${file}" cannot be read: ${(error as Error).message}`);
    }
    specs.push(...parseImageList(text, file, sourceHost));
  }
  if (specs.length === 0 && !catalog) {
    throw new ConfigError(
      `no images to sync: set ${names.name('images')} (one reference per line), ${names.name('images-file')}, or ${names.setting('catalog', 'true')}`,
    );
  }
  return specs;
}
