#!/usr/bin/env node
// The CLI entry point (bundled into dist/cli). All work is in cli-main.ts.
import './memory.js';
import { main } from './cli-main.js';

process.exitCode = await main(process.argv.slice(2));
