// Database span names: the statement's first keyword, whatever comes before it.
import { describe, expect, it } from 'vitest';
import { statementOperation } from '../../../src/observability/db-tracing.ts';

describe('statementOperation', () => {
  it.each([
    ['select 1', 'SELECT'],
    ['\n    with wanted as materialized (select 1) select * from wanted', 'WITH'],
    ['insert into receipts values ($1)', 'INSERT'],
    ['-- the trust read\nselect 1', 'SELECT'],
    ['/* a comment\n over lines */ update t set a = $1', 'UPDATE'],
    ['(select 1) union (select 2)', 'SELECT'],
    ['begin', 'BEGIN'],
    ['', 'SQL'],
    ['$1', 'SQL'],
  ])('%j is %s', (sql, operation) => {
    expect(statementOperation(sql)).toBe(operation);
  });
});
