import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// The package's own package.json: one directory up from src/version.ts, two from the compiled dist/src/version.js.
function packageVersion(): string {
  for (const path of ['../package.json', '../../package.json']) {
    try {
      const manifest = require(path) as { name?: string; version?: string };
      if (manifest.name === 'credence' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // not at this level; try the next
    }
  }
  throw new Error('credence: package.json not found beside src/ or dist/');
}

export const SERVICE_VERSION: string = packageVersion();
