#!/usr/bin/env node
// The CLI entry point (bundled into dist/cli). All work is in cli/main.ts.
import './memory.js';
import { guardStream } from './redact/output.js';
import { main } from './cli/main.js';

// Before anything can print: every byte to stdout and stderr is scrubbed of secrets, and stdout
// carries only what the CLI itself prints (the summary, or --json events). Libraries that print
// on stdout (the archive extractor's `[command]` lines) are sent to stderr; their Actions
// `::debug::` commands mean nothing outside a runner and are dropped.
guardStream(process.stderr);
guardStream(process.stdout, (text) => {
  const kept = text
    .split(/(?<=\n)/)
    .filter((line) => !line.startsWith('::debug::'))
    .join('');
  if (kept) process.stderr.write(kept);
});

process.exitCode = await main(process.argv.slice(2));
