// Fault tests (npm run test:faults): real server processes killed with SIGKILL, database outages, two instances on
// one database. PostgreSQL only; one file at a time, since each spawns several processes.
import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/faults/**/*.test.ts'],
    exclude: [...configDefaults.exclude],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
