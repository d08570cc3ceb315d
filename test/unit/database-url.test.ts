import { describe, expect, it } from 'vitest';
import { databaseNameFromUrl } from '../../src/db/database.ts';

describe('DATABASE_URL must name a database', () => {
  it('returns the database a URL names', () => {
    expect(databaseNameFromUrl('postgres://postgres@127.0.0.1:5432/credence')).toBe('credence');
    expect(databaseNameFromUrl('postgresql://u:p@db.example/my%20db?sslmode=require')).toBe('my db');
    expect(databaseNameFromUrl('postgres:///credence?host=/var/run/postgresql')).toBe('credence');
  });

  it('refuses a URL without a database, with an example and the createdb step, and hides the password', () => {
    for (const url of ['postgres://postgres@127.0.0.1:5432', 'postgres://postgres:s3cret@127.0.0.1:5432/']) {
      let message = '';
      try {
        databaseNameFromUrl(url);
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain('DATABASE_URL names no database');
      expect(message).toContain('127.0.0.1:5432/credence');
      expect(message).toContain('createdb credence');
      expect(message).not.toContain('s3cret');
    }
  });

  it('refuses what is not a PostgreSQL URL', () => {
    expect(() => databaseNameFromUrl('localhost:5432/credence')).toThrow(/postgres:\/\//);
    expect(() => databaseNameFromUrl('not a url')).toThrow(/not a URL/);
  });
});
