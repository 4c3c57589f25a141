// node bench/heap-top.ts <file.heapsnapshot> [N]: what holds a process's memory, by constructor
// (or string / closure / array kind): count and self size, biggest first. Self size only (no
// dominator tree): enough to see which kind of object grows with the number of tags.
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/heap-top.ts <file.heapsnapshot> [N]\n');
  process.exit(2);
}
const snapshot = JSON.parse(readFileSync(file, 'utf8')) as {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
};
const fields = snapshot.snapshot.meta.node_fields;
const types = snapshot.snapshot.meta.node_types[0];
const width = fields.length;
const at = (name: string): number => fields.indexOf(name);
const [TYPE, NAME, SIZE] = [at('type'), at('name'), at('self_size')];
const groups = new Map<string, { count: number; bytes: number }>();
let total = 0;
for (let i = 0; i < snapshot.nodes.length; i += width) {
  const type = types[snapshot.nodes[i + TYPE]!]!;
  const size = snapshot.nodes[i + SIZE]!;
  total += size;
  const name = type === 'object' || type === 'closure' ? snapshot.strings[snapshot.nodes[i + NAME]!]! : '';
  const key = name ? `${type} ${name}` : `(${type})`;
  const g = groups.get(key) ?? { count: 0, bytes: 0 };
  g.count += 1;
  g.bytes += size;
  groups.set(key, g);
}
const top = [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, Number(topArg ?? 25));
process.stdout.write(`total self size ${(total / 1e6).toFixed(1)} MB in ${snapshot.nodes.length / width} nodes\n`);
for (const [key, g] of top)
  process.stdout.write(
    `${(g.bytes / 1e6).toFixed(2).padStart(8)} MB ${String(g.count).padStart(9)}  ${key.slice(0, 100)}\n`,
  );
