import { createRequire } from 'node:module';
import { configDefaults, defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql must be a single module instance, or its type checks fail across "realms".
    alias: { graphql: require.resolve('graphql') },
  },
  // `credence/client` (examples, docs snippets) resolves to the sources here, not to a build (package.json exports).
  // No 'module' condition: packages that point it at a bundler-only build (@opentelemetry/api: extensionless
  // imports) would then fail to load in Node.
  ssr: { resolve: { conditions: ['credence-source', 'node', 'development|production'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // Process-killing fault tests run on their own: npm run test:faults (vitest.faults.config.ts).
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    // One migrated embedded database, copied for each test database (test/helpers/database.ts).
    globalSetup: ['test/setup/pglite-template.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
