#!/usr/bin/env node
// The `credence` command. It runs the compiled CLI in dist/ when that is an up-to-date build of the sources (always,
// in an installed package); in a checkout whose dist/ is missing or older than src/, it runs the TypeScript through
// tsx instead, so `npx credence` and the tests work right after an edit without a build.
import { buildState } from '../scripts/build-state.mjs';

if (buildState().fresh) {
  const { runCli } = await import('../dist/src/cli/main.js');
  runCli();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { runCli } = await import('../src/cli/main.ts');
  runCli();
}
