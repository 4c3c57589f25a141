#!/usr/bin/env node
// Entry point for `node dist/cli.js` and the `harbor-sync` bin: the bundle is dist/cli/index.js.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write('harbor-sync needs Node.js 22.19 or later (this is ' + process.version + '); on Jenkins use a NodeJS tool installation of 24.\n');
  process.exit(2);
}
await import('./cli/index.js');
