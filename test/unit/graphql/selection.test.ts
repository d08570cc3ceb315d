import { buildSchema, execute, parse, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectsBelow } from '../../../src/graphql/selection.ts';

const schema = buildSchema(`
  type Item { factor: String, points: Float }
  type Report { score: Float, explanation: [Item], windows: Window }
  type Window { tasks: Int }
  type Decision { allowed: Boolean, report: Report }
  type Query { trust: Report, check: Decision }
`);

/** What selectsBelow answers for the root field `field` of each document, through graphql-js's own resolve info. */
function answer(document: string, field: 'trust' | 'check' = 'trust'): boolean {
  let seen: boolean | undefined;
  const resolver = (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
    seen = selectsBelow(info, 'explanation');
    return null;
  };
  const result = execute({ schema, document: parse(document), rootValue: { [field]: resolver } });
  expect(result).not.toBeInstanceOf(Promise);
  if (seen === undefined) throw new Error(`the ${field} resolver did not run`);
  return seen;
}

describe('selectsBelow', () => {
  it('finds a field selected directly, under an alias, nested, or through inline fragments and fragment spreads', () => {
    expect(answer('{ trust { score explanation { factor } } }')).toBe(true);
    expect(answer('{ trust { score why: explanation { points } } }')).toBe(true);
    expect(answer('{ check { allowed report { explanation { factor } } } }', 'check')).toBe(true);
    expect(answer('{ trust { ... on Report { explanation { factor } } } }')).toBe(true);
    expect(answer('{ trust { ...Detail } } fragment Detail on Report { explanation { factor } }')).toBe(true);
    expect(answer('{ check { ...Outer } } fragment Outer on Decision { report { ...Inner } } fragment Inner on Report { explanation { factor } }', 'check')).toBe(true);
  });

  it('counts a field that @skip or @include may leave out as selected (the safe side)', () => {
    expect(answer('{ trust { score explanation @skip(if: true) { factor } } }')).toBe(true);
    expect(answer('{ trust { score explanation @include(if: false) { factor } } }')).toBe(true);
  });

  it('answers no when nothing beneath the field is called that, whatever else is selected', () => {
    expect(answer('{ trust { score windows { tasks } } }')).toBe(false);
    expect(answer('{ trust { __typename } }')).toBe(false);
    expect(answer('{ check { allowed report { score } } }', 'check')).toBe(false);
    // A fragment spread twice is walked once and still answers no.
    expect(answer('{ trust { ...S ...S } } fragment S on Report { score }')).toBe(false);
    // The field being resolved is not "beneath" itself: an alias named like the field changes nothing.
    expect(answer('{ explanation: trust { score } }')).toBe(false);
  });

  it('remembers the answer per field node, and answers each node of one document on its own', () => {
    const document = parse('{ a: trust { score } b: trust { explanation { factor } } }');
    const seen: boolean[] = [];
    const resolver = (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
      seen.push(selectsBelow(info, 'explanation'));
      return null;
    };
    for (let i = 0; i < 2; i += 1) execute({ schema, document, rootValue: { trust: resolver } });
    expect(seen).toEqual([false, true, false, true]);
  });
});
