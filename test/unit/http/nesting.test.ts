import { describe, expect, it } from 'vitest';
import { nestingDepth } from '../../../src/http/security.ts';

describe('GraphQL nesting depth', () => {
  it('counts brackets of every kind', () => {
    expect(nestingDepth('{ a }')).toBe(1);
    expect(nestingDepth('query($x: [[Int]]) { a(b: { c: [1, [2]] }) { d } }')).toBe(5);
    expect(nestingDepth(`{ trust(did: ${'['.repeat(3000)}"x"${']'.repeat(3000)}) { score } }`)).toBe(3002);
  });

  it('skips strings, escaped quotes, block strings and comments', () => {
    expect(nestingDepth('{ a(s: "{{{[[[(((") }')).toBe(2);
    expect(nestingDepth('{ a(s: "\\"{{{") }')).toBe(2);
    expect(nestingDepth('{ a(s: """ {{{ \\""" [[[ """) }')).toBe(2);
    expect(nestingDepth('# {{{{{{\n{ a }')).toBe(1);
    // Unterminated strings and comments end the scan, never loop.
    expect(nestingDepth('{ a(s: "{{{')).toBe(2);
    expect(nestingDepth('{ a(s: """ {{{')).toBe(2);
  });

  it('stops early once past the limit', () => {
    expect(nestingDepth('['.repeat(1_000_000), 64)).toBe(65);
  });
});
