// The cursor codec and the connection algorithm on their own: what each set of arguments asks the list for (one
// keyset read from the start or the end of the window, one row more than the page, plus at most one single-row
// look beyond the window), and what comes back. The list here is an array read the way the repositories read.
import { describe, expect, it } from 'vitest';
import type { KeysetKey, KeysetRead } from '../../../src/db/keyset.ts';
import { decodeCursor, encodeCursor } from '../../../src/graphql/connection-cursor.ts';
import { resolveKeysetConnection, type ConnectionArgs } from '../../../src/graphql/connection.ts';
import { InputError } from '../../../src/errors.ts';

const at = new Date('2026-11-01T10:00:00.000Z');

describe('connection cursors', () => {
  it('round-trip a position, opaque base64url of a versioned tuple', () => {
    const cursor = encodeCursor('Receipt', { at, id: 'urn:uuid:1|2' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).toEqual([1, 'Receipt', '2026-11-01T10:00:00.000Z', 'urn:uuid:1|2']);
    expect(decodeCursor('Receipt', cursor, 'after')).toEqual({ at, id: 'urn:uuid:1|2' });
  });

  it('keep the published format byte for byte, so cursors handed out earlier stay valid', () => {
    const published = 'WzEsIlJlY2VpcHQiLCIyMDI2LTExLTAxVDEwOjAwOjAwLjAwMFoiLCJ1cm46dXVpZDoxfDIiXQ';
    expect(encodeCursor('Receipt', { at, id: 'urn:uuid:1|2' })).toBe(published);
    expect(decodeCursor('Receipt', published, 'before')).toEqual({ at, id: 'urn:uuid:1|2' });
  });

  it.each([
    ['another list', encodeCursor('Platform', { at, id: 'did:key:z6Mk' })],
    ['not base64url', 'a+b/'],
    ['empty', ''],
    ['not JSON', Buffer.from('2026-11-01T10:00:00.000Z|r1').toString('base64url')],
    ['a later version', Buffer.from(JSON.stringify([2, 'Receipt', at.toISOString(), 'r1'])).toString('base64url')],
    ['a loose date', Buffer.from(JSON.stringify([1, 'Receipt', '2026-11-01', 'r1'])).toString('base64url')],
    ['an impossible date', Buffer.from(JSON.stringify([1, 'Receipt', '2026-02-30T10:00:00.000Z', 'r1'])).toString('base64url')],
    ['an empty id', Buffer.from(JSON.stringify([1, 'Receipt', at.toISOString(), ''])).toString('base64url')],
    ['a NUL in the id', Buffer.from(JSON.stringify([1, 'Receipt', at.toISOString(), 'a\u0000'])).toString('base64url')],
    ['a lone surrogate', Buffer.from(JSON.stringify([1, 'Receipt', at.toISOString(), '\udc00'])).toString('base64url')],
    ['too long', 'A'.repeat(1_025)],
  ])('refuse %s as INVALID_INPUT naming the argument', (_why, cursor) => {
    for (const argument of ['after', 'before']) {
      let error: unknown;
      try {
        decodeCursor('Receipt', cursor, argument);
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(InputError);
      expect(error).toMatchObject({ code: 'INVALID_INPUT', field: argument });
    }
  });
});

describe('resolveKeysetConnection', () => {
  // Newest first, like receipts: keys r09 … r00, every two rows sharing a timestamp.
  const rows = Array.from({ length: 10 }, (_, index) => ({ at: new Date(at.getTime() + Math.floor(index / 2) * 1_000), id: `r${String(index).padStart(2, '0')}` })).reverse();
  const compare = (a: KeysetKey, b: KeysetKey) => a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  function source() {
    const reads: KeysetRead[] = [];
    return {
      reads,
      list: 'Receipt' as const,
      keyOf: (row: KeysetKey) => row,
      async read(read: KeysetRead) {
        reads.push(read);
        // Descending list: following a key means smaller.
        const window = rows.filter(
          (row) =>
            (!read.after || (read.after.inclusive ? compare(row, read.after.key) <= 0 : compare(row, read.after.key) < 0)) &&
            (!read.before || (read.before.inclusive ? compare(row, read.before.key) >= 0 : compare(row, read.before.key) > 0)),
        );
        return (read.fromEnd ? [...window].reverse() : window).slice(0, read.limit);
      },
    };
  }
  const cursor = (index: number) => encodeCursor('Receipt', rows[index]!);
  const ids = (connection: { edges: Array<{ node: KeysetKey }> }) => connection.edges.map((edge) => edge.node.id);

  it('reads last/before from the end of the window, one row more than asked, and turns the page around', async () => {
    const list = source();
    const page = await resolveKeysetConnection({ last: 3, before: cursor(8) }, list);
    expect(ids(page)).toEqual(['r04', 'r03', 'r02']);
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    expect(list.reads).toEqual([
      { after: null, before: { key: rows[8], inclusive: false }, fromEnd: true, limit: 4 },
      { after: { key: rows[8], inclusive: true }, before: null, fromEnd: false, limit: 1 },
    ]);
  });

  it('reads first/after from the start of the window, and looks one row back for hasPreviousPage', async () => {
    const list = source();
    const page = await resolveKeysetConnection({ first: 2, after: cursor(1) }, list);
    expect(ids(page)).toEqual(['r07', 'r06']);
    expect(page.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true, startCursor: cursor(2), endCursor: cursor(3) });
    expect(list.reads).toEqual([
      { after: { key: rows[1], inclusive: false }, before: null, fromEnd: false, limit: 3 },
      { after: null, before: { key: rows[1], inclusive: true }, fromEnd: true, limit: 1 },
    ]);
  });

  it.each<[ConnectionArgs, string[], boolean, boolean]>([
    [{}, rows.map((row) => row.id), false, false],
    [{ last: 3 }, ['r02', 'r01', 'r00'], true, false],
    [{ first: 3 }, ['r09', 'r08', 'r07'], false, true],
    [{ first: 4, last: 2 }, ['r07', 'r06'], true, true],
    [{ first: 2, before: cursor(5) }, ['r09', 'r08'], false, true],
    [{ last: 2, after: cursor(5) }, ['r01', 'r00'], true, false],
    [{ after: cursor(1), before: cursor(4) }, ['r07', 'r06'], true, false],
    [{ before: cursor(3) }, ['r09', 'r08', 'r07'], false, true],
    [{ first: 0 }, [], false, true],
    [{ last: 0 }, [], true, false],
    [{ first: 3, after: cursor(9) }, [], true, false],
    [{ last: 3, before: cursor(0) }, [], false, true],
    [{ first: 3, after: cursor(6), before: cursor(2) }, [], true, false],
  ])('%j answers %j (hasPreviousPage %s, hasNextPage %s)', async (args, expected, hasPreviousPage, hasNextPage) => {
    const list = source();
    const page = await resolveKeysetConnection(args, list);
    expect(ids(page)).toEqual(expected);
    expect(page.pageInfo).toMatchObject({ hasPreviousPage, hasNextPage });
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
    expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
    // Never more than one windowed read (and one single-row look beyond it); never more rows than a page and one.
    expect(list.reads.length).toBeLessThanOrEqual(2);
    expect(Math.max(...list.reads.map((read) => read.limit))).toBeLessThanOrEqual(Math.max(args.first ?? 20, args.last ?? 0) + 1);
  });

  it.each([{ first: -1 }, { first: 101 }, { last: -1 }, { last: 101 }, { first: 1.5 }])('refuses %j as INVALID_INPUT', async (args) => {
    await expect(resolveKeysetConnection(args, source())).rejects.toMatchObject({ code: 'INVALID_INPUT', field: Object.keys(args)[0] });
  });
});
