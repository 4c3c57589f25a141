// ncc writes the CLI bundle to dist/cli/index.js; users and Jenkinsfiles run `node dist/cli.js`.
// The shim checks the Node version first: undici 8 needs Node 22.19 or later (its engines), and
// an old agent's `node` should get a sentence, not a stack trace.
import { writeFileSync, chmodSync } from 'node:fs';

const shim = `#!/usr/bin/env node
// Entry point for \`node dist/cli.js\` and the \`harbor-sync\` bin: the bundle is dist/cli/index.js.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write('harbor-sync needs Node.js 22.19 or later (this is ' + process.version + '); on Jenkins use a NodeJS tool installation of 24.\\n');
  process.exit(2);
}
await import('./cli/index.js');
`;
writeFileSync('dist/cli.js', shim);
chmodSync('dist/cli.js', 0o755);
