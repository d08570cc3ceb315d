// Whether dist/ is an up-to-date build of the sources: shared by the build script (`npm start` builds only when it is
// not) and bin/credence.js (which runs dist/ only when it is). Plain JavaScript, so it runs before anything is built.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const DIST = join(ROOT, 'dist');
/** Written last by a successful build: when it started and which input files it compiled. */
export const STAMP = join(DIST, '.build-stamp.json');
/** Everything the build reads; a change to any of them (or a file added or removed) makes dist/ stale. */
export const BUILD_INPUTS = ['src', 'migrations', 'credentials', 'types', 'tsconfig.json', 'tsconfig.build.json'];

/** Input files (relative paths, sorted) with their modification times. */
export function listInputs(root = ROOT) {
  const files = [];
  const visit = (path) => {
    let stat;
    try {
      stat = statSync(path);
    } catch {
      return; // an optional input (types/) may be absent
    }
    if (stat.isDirectory()) {
      for (const entry of readdirSync(path)) visit(join(path, entry));
    } else {
      files.push({ path: relative(root, path), mtimeMs: stat.mtimeMs });
    }
  };
  for (const input of BUILD_INPUTS) visit(join(root, input));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function readStamp(root = ROOT) {
  try {
    return JSON.parse(readFileSync(join(root, 'dist', '.build-stamp.json'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * { fresh: true } when dist/ was built from exactly the current inputs: the same file list, none modified after the
 * build started. Otherwise { fresh: false, reason }. A package installed from the registry has no src/: its dist/ is
 * what was published, and is fresh by definition.
 */
export function buildState(root = ROOT) {
  const stamp = readStamp(root);
  let hasSources = true;
  try {
    statSync(join(root, 'src'));
  } catch {
    hasSources = false;
  }
  if (!hasSources) return stamp || existsEntry(root) ? { fresh: true } : { fresh: false, reason: 'no dist/ and no src/' };
  if (!stamp) return { fresh: false, reason: 'dist/ has not been built' };
  const inputs = listInputs(root);
  const built = new Set(stamp.files);
  if (inputs.length !== built.size || inputs.some((file) => !built.has(file.path))) {
    return { fresh: false, reason: 'source files were added or removed since the last build' };
  }
  const changed = inputs.find((file) => file.mtimeMs > stamp.startedAtMs);
  if (changed) return { fresh: false, reason: `${changed.path} changed since the last build` };
  return { fresh: true };
}

function existsEntry(root) {
  try {
    return statSync(join(root, 'dist', 'src', 'cli', 'main.js')).isFile();
  } catch {
    return false;
  }
}
