// The database layer refuses text PostgreSQL cannot store (U+0000, unpaired surrogates) as INVALID_INPUT before a
// query is sent, whichever way the value arrived, so it can never end as a masked internal error.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../src/db/database.ts';
import { InputError } from '../../../src/errors.ts';

describe('the NUL guard on every query', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ dataDir: 'memory://' });
    await sql`create table notes (body text not null)`.execute(database.db);
  });
  afterAll(async () => {
    await database.close();
  });

  it.each([
    ['a NUL', 'a\u0000b'],
    ['a lone high surrogate', 'x\ud800'],
    ['a lone low surrogate', 'a\udfffb'],
  ])('refuses %s in builder values, raw SQL parameters and lists, inside a transaction that then rolls back', async (_name, bad) => {
    const db = database.db as any;
    await expect(db.insertInto('notes').values({ body: bad }).execute()).rejects.toBeInstanceOf(InputError);
    await expect(sql`select ${bad}::text`.execute(database.db)).rejects.toBeInstanceOf(InputError);
    await expect(db.selectFrom('notes').selectAll().where('body', 'in', ['fine', bad]).execute()).rejects.toBeInstanceOf(InputError);
    // An array parameter (how batched inserts send their columns), nested too, and a value inlined into the text.
    await expect(sql`select * from unnest(${['fine', bad]}::text[])`.execute(database.db)).rejects.toBeInstanceOf(InputError);
    await expect(sql`select ${[['fine'], [bad]]}::text[][]`.execute(database.db)).rejects.toBeInstanceOf(InputError);
    await expect(sql`select ${sql.lit(bad)}::text`.execute(database.db)).rejects.toBeInstanceOf(InputError);
    await expect(database.db.selectFrom('notes' as never).select(sql.ref(`body${bad}`).as('x')).execute()).rejects.toBeInstanceOf(InputError);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await (trx as any).insertInto('notes').values({ body: 'kept?' }).execute();
        await (trx as any).insertInto('notes').values({ body: bad }).execute();
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const rows = await sql<{ n: number }>`select count(*)::int as n from notes`.execute(database.db);
    expect(rows.rows[0]!.n).toBe(0);
  });

  it('lets ordinary text, emoji (paired surrogates) and the escaped form through', async () => {
    const db = database.db as any;
    await db.insertInto('notes').values([{ body: 'plain' }, { body: 'emoji 💥' }, { body: 'literal \\u0000 text' }]).execute();
    const rows = await db.selectFrom('notes').select('body').orderBy('body').execute();
    expect(rows.map((r: { body: string }) => r.body).sort()).toEqual(['emoji 💥', 'literal \\u0000 text', 'plain'].sort());
  });
});
