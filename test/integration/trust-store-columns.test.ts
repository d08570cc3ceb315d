// The aggregate tables' one declaration (AGGREGATE_COLUMNS in src/trust/engine/evidence.ts, from which the row types,
// adders, SQL column lists and the check derive) is what the migrations created: same columns, same order, every
// sum a non-null double with a default of 0. A column added on one side only fails here, before any score moves.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGGREGATE_COLUMNS, AGGREGATE_TABLE_NAMES, columnName } from '../../src/trust/engine/evidence.ts';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../helpers/database.ts';

/** Columns that are neither keys nor sums: a pair's spans (LEAST/GREATEST state). */
const EXTRA: Partial<Record<string, string[]>> = { trust_pair: ['first_hour', 'last_hour', 'econ_first_hour', 'econ_last_hour'] };

describe.each(testDatabaseKinds)('the trust store declaration on %s database', (kind) => {
  let testDatabase: TestDatabase;
  beforeAll(async () => {
    testDatabase = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await testDatabase?.drop();
  });

  it.each(AGGREGATE_TABLE_NAMES)('%s has exactly the declared columns', async (table) => {
    const { rows } = await sql<{ column_name: string; data_type: string; is_nullable: string; column_default: string | null }>`
      select column_name, data_type, is_nullable, column_default from information_schema.columns
      where table_schema = current_schema() and table_name = ${table} order by ordinal_position
    `.execute(testDatabase.database.db);
    const declared = AGGREGATE_COLUMNS[table];
    expect(rows.map((row) => row.column_name)).toEqual([...declared.keys.map(columnName), ...declared.sums.map(columnName), ...(EXTRA[table] ?? [])]);
    for (const sum of declared.sums) {
      const column = rows.find((row) => row.column_name === columnName(sum))!;
      expect({ column: column.column_name, type: column.data_type, nullable: column.is_nullable, zero: Number(column.column_default) }).toEqual({
        column: columnName(sum),
        type: 'double precision',
        nullable: 'NO',
        zero: 0,
      });
    }
  });
});
