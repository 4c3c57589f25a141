// Runs before every test file (vitest.config.ts setupFiles): the file gets a temporary root of its
// own, removed after the file's own afterAll hooks, whether its tests passed or failed; and the
// Actions `::debug::` commands that library code run in-process prints (@actions/tool-cache
// extracting a tarball) are dropped from the test output, as the CLI drops them.
import { afterAll } from 'vitest';
import { createTempRoot, removeTempRoot, restoreTempDir, useTempRoot } from './temp-root.ts';

const root = createTempRoot();
useTempRoot(root);
// Registered first, so it runs last: after-hooks run in the reverse order of registration.
afterAll(async () => {
  restoreTempDir();
  await removeTempRoot(root);
});

dropDebugCommands(process.stdout);

function dropDebugCommands(stream: NodeJS.WriteStream): void {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (typeof chunk !== 'string' || !chunk.includes('::debug::')) return write(chunk, ...rest);
    const kept = chunk
      .split(/(?<=\n)/)
      .filter((line) => !line.startsWith('::debug::'))
      .join('');
    if (kept) return write(kept, ...rest);
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as NodeJS.WriteStream['write'];
}
