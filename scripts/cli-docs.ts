// Writes docs/cli.md from the command definitions; with --check, exits 1 when the file differs.
import { readFile, writeFile } from 'node:fs/promises';
import { COMMANDS } from '../src/cli/main.ts';
import { renderCliDocs } from '../src/cli/commands/command.ts';

const path = new URL('../docs/cli.md', import.meta.url);
const text = renderCliDocs(COMMANDS);
if (process.argv.includes('--check')) {
  const current = await readFile(path, 'utf8').catch(() => '');
  if (current !== text) {
    console.error('docs/cli.md is out of date: run `npm run docs:cli`');
    process.exitCode = 1;
  }
} else {
  await writeFile(path, text);
  console.log('wrote docs/cli.md');
}
