// The index pass of a plain tarball read in place, at seed scale: a synthetic archive laid out as
// distribution's filesystem driver writes it (about 5,000 tags over 1,000 repositories, every
// directory its own entry, as GNU tar writes them), then indexed in a fresh process: entries,
// wall time, peak RSS and the heap the index keeps. With --blob-mb the blobs' contents are holes
// (a sparse file): the archive is as large as a real one and costs no disk, and the pass reads
// only headers either way.
//
//   npm run build                                 # the pass runs from lib/ (the compiled src)
//   node bench/tar-index.ts                       # 1,000 repositories, 5,000 tags, 1 KiB blobs
//   node bench/tar-index.ts --blob-mb 30          # the same with 30 MB blobs: a ~1 TB sparse archive
//   node bench/tar-index.ts --repos 200 --tags 1000 --layers 4
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { TAR_END, tarContent, tarHeader } from '../test/harness/tar-writer.ts';

const { values } = parseArgs({
  options: {
    repos: { type: 'string', default: '1000' },
    tags: { type: 'string', default: '5000' },
    /** Own layers per image; every image also has 3 base layers shared by its team. */
    layers: { type: 'string', default: '5' },
    'blob-mb': { type: 'string', default: '0' },
    measure: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});

if (values.measure) await measure(values.measure);
else await main();

async function main(): Promise<void> {
  const dir = mkdtempSync(join(process.env.RUNNER_TEMP || tmpdir(), 'hs-tar-index-'));
  const archive = join(dir, 'registry.tar');
  try {
    const made = await writeArchive(archive, {
      repos: Number(values.repos),
      tags: Number(values.tags),
      layers: Number(values.layers),
      blobBytes: Number(values['blob-mb']) * 1_000_000,
    });
    const info = await stat(archive);
    console.log(
      `archive: ${made.entries.toLocaleString('en')} entries, ${made.tags.toLocaleString('en')} tags in ${made.repos.toLocaleString('en')} repositories, ${made.blobs.toLocaleString('en')} blobs; ${(info.size / 1e9).toFixed(2)} GB (${((info.blocks * 512) / 1e6).toFixed(0)} MB on disk)`,
    );
    // Cold reads are the disk's business; the page cache holds what was just written.
    const out = execFileSync(process.execPath, ['--expose-gc', import.meta.filename, '--measure', archive], {
      encoding: 'utf8',
    });
    process.stdout.write(out);
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept ${archive}`);
  }
}

/** In a fresh process: the pass alone. */
async function measure(archive: string): Promise<void> {
  const lib = new URL('../lib/registry/storage/index-archive.js', import.meta.url);
  const { indexArchive } = (await import(lib.href).catch(() => {
    throw new Error('run npm run build first: the pass is measured from lib/');
  })) as typeof import('../src/registry/storage/index-archive.ts');
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  const before = process.memoryUsage();
  const handle = await open(archive, 'r');
  const size = (await handle.stat()).size;
  const started = process.hrtime.bigint();
  const index = await indexArchive(handle, size, pathToFileURL(archive).href);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await handle.close();
  gc();
  const after = process.memoryUsage();
  const mb = (n: number) => (n / 1e6).toFixed(1);
  console.log(
    `index pass: ${index.entries.toLocaleString('en')} entries (${index.nodes.toLocaleString('en')} paths) in ${seconds.toFixed(2)} s`,
  );
  console.log(
    `memory: peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB (${mb(before.rss)} MB before); the index keeps ${mb(after.heapUsed - before.heapUsed)} MB of heap and ${mb(after.arrayBuffers - before.arrayBuffers)} MB of typed arrays`,
  );
}

interface Shape {
  repos: number;
  tags: number;
  layers: number;
  blobBytes: number;
}

/** Writes the archive sequentially; blob contents past their first KiB are left as holes. */
async function writeArchive(path: string, shape: Shape) {
  const file = await open(path, 'w');
  let position = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    await file.write(Buffer.concat(pending), 0, pendingBytes, position - pendingBytes);
    pending = [];
    pendingBytes = 0;
  };
  const put = async (bytes: Buffer) => {
    pending.push(bytes);
    pendingBytes += bytes.length;
    position += bytes.length;
    if (pendingBytes > 4 * 1024 * 1024) await flush();
  };
  const seen = new Set<string>();
  let entries = 0;
  const directory = async (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    entries++;
    await put(ustarHeader(`${name}/`, 0, '5'));
  };
  /** The file and every directory above it (each once), as GNU tar lists a tree. */
  const fileEntry = async (name: string, content: Buffer | number) => {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) await directory(parts.slice(0, i).join('/'));
    entries++;
    const size = typeof content === 'number' ? content : content.length;
    await put(ustarHeader(name, size, '0'));
    if (typeof content !== 'number') await put(tarContent(content));
    else {
      // A hole: the content is never written.
      await flush();
      position += Math.ceil(size / 512) * 512;
    }
  };
  const v2 = 'docker/registry/v2';
  const hex = (seed: string) => createHash('sha256').update(seed).digest('hex');
  const blobs = new Set<string>();
  const blob = async (h: string, bytes: number) => {
    if (blobs.has(h)) return;
    blobs.add(h);
    const path = `${v2}/blobs/sha256/${h.slice(0, 2)}/${h}/data`;
    await fileEntry(path, bytes <= 1024 ? Buffer.alloc(bytes, 1) : bytes);
  };
  const link = (h: string) => Buffer.from(`sha256:${h}`);
  const blobBytes = shape.blobBytes || 1024;
  let tagCount = 0;
  for (let r = 0; r < shape.repos; r++) {
    const team = `team-${String(r % 40).padStart(2, '0')}`;
    const repo = `${v2}/repositories/${team}/svc-${String(r).padStart(4, '0')}`;
    const base = [0, 1, 2].map((i) => hex(`${team}/base/${i}`));
    const tagsHere = Math.floor(((r + 1) * shape.tags) / shape.repos) - Math.floor((r * shape.tags) / shape.repos);
    const repoLayers = new Set<string>();
    for (let t = 0; t < tagsHere; t++, tagCount++) {
      const own = Array.from({ length: shape.layers }, (_, i) => hex(`${repo}/${t}/layer/${i}`));
      const config = hex(`${repo}/${t}/config`);
      const manifest = hex(`${repo}/${t}/manifest`);
      for (const h of [...base, ...own]) await blob(h, blobBytes);
      await blob(config, 1024);
      await blob(manifest, 1024);
      for (const h of [config, ...base, ...own]) repoLayers.add(h);
      const tag = `1.${t}.0`;
      await fileEntry(`${repo}/_manifests/tags/${tag}/current/link`, link(manifest));
      await fileEntry(`${repo}/_manifests/tags/${tag}/index/sha256/${manifest}/link`, link(manifest));
      await fileEntry(`${repo}/_manifests/revisions/sha256/${manifest}/link`, link(manifest));
    }
    for (const h of repoLayers) await fileEntry(`${repo}/_layers/sha256/${h}/link`, link(h));
    await directory(`${repo}/_uploads`);
  }
  await put(TAR_END);
  await flush();
  await file.truncate(position);
  await file.close();
  return { entries, repos: shape.repos, tags: tagCount, blobs: blobs.size };
}

/** A header for a name of up to 255 bytes, split into ustar's prefix and name (no pax header). */
function ustarHeader(name: string, size: number, type: string): Buffer {
  if (name.length <= 100) return tarHeader({ name, size, type });
  const at = name.indexOf('/', name.length - 101);
  if (at <= 0 || at > 155) throw new Error(`${name} does not fit a ustar header`);
  return tarHeader({ name: name.slice(at + 1), prefix: name.slice(0, at), size, type });
}
