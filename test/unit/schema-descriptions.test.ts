// The schema is documented for client developers: every type, field, argument, input field and enum value of the
// printed schema has a description, and graphql-schema-linter passes with the project's conventions.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  lexicographicSortSchema,
  printSchema,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graphql/schema.ts';

const require = createRequire(import.meta.url);

/** Every schema element without a description, as `kind Type.field(arg)`. */
function undescribed(target: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(target.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    if (!type.description) missing.push(`type ${type.name}`);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!field.description) missing.push(`field ${type.name}.${field.name}`);
        for (const arg of field.args) if (!arg.description) missing.push(`argument ${type.name}.${field.name}(${arg.name})`);
      }
    }
    if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) if (!field.description) missing.push(`input field ${type.name}.${field.name}`);
    }
    if (isEnumType(type)) {
      for (const value of type.getValues()) if (!value.description) missing.push(`enum value ${type.name}.${value.name}`);
    }
  }
  return missing;
}

const printed = `${printSchema(lexicographicSortSchema(schema))}\n`;

/**
 * The conventions: graphql-schema-linter's rules, except
 * - the sorting rules: windows read D7, D30, D90 (and d7, d30, d90) in time order, not alphabetically;
 * - camel case for TrustVector's seven single-letter dimensions (E P B D R A C): they are the trust model's own
 *   names (docs/trust-model.md), written the same in credentials, the REST API and the MCP tools.
 */
export const LINTER_CONVENTIONS = {
  rules: [
    'arguments-have-descriptions',
    'defined-types-are-used',
    'deprecations-have-a-reason',
    'descriptions-are-capitalized',
    'enum-values-all-caps',
    'enum-values-have-descriptions',
    'fields-are-camel-cased',
    'fields-have-descriptions',
    'input-object-values-are-camel-cased',
    'input-object-values-have-descriptions',
    'relay-connection-arguments-spec',
    'relay-connection-types-spec',
    'relay-page-info-spec',
    'types-are-capitalized',
    'types-have-descriptions',
  ],
  ignore: {
    'fields-are-camel-cased': ['TrustVector.E', 'TrustVector.P', 'TrustVector.B', 'TrustVector.D', 'TrustVector.R', 'TrustVector.A', 'TrustVector.C'],
  },
};

describe('schema documentation', () => {
  it('describes every type, field, argument, input field and enum value of the printed schema', () => {
    expect(undescribed(buildSchema(printed))).toEqual([]);
  });

  it('cites only documents that are in the repository', () => {
    const cited = [...printed.matchAll(/[\w./-]+\.md\b/g)].map((match) => match[0]);
    expect(cited.length).toBeGreaterThan(0);
    for (const document of new Set(cited)) expect(existsSync(new URL(`../../${document}`, import.meta.url)), document).toBe(true);
  });

  it('notices an element without a description', () => {
    const sample = buildSchema('"""A type."""\ntype Query {\n  """A field."""\n  a(x: Int): Int\n  b: Int\n}\n');
    expect(undescribed(sample)).toEqual(['argument Query.a(x)', 'field Query.b']);
  });

  it('passes graphql-schema-linter with the project conventions', () => {
    const { Configuration } = require('graphql-schema-linter/lib/configuration.js');
    const { validateSchemaDefinition } = require('graphql-schema-linter/lib/validator.js');
    const { SourceMap } = require('graphql-schema-linter/lib/source_map.js');
    const lint = (definition: string) => {
      const input = { definition, sourceMap: new SourceMap({ 'schema.graphql': definition }) };
      const configuration = new Configuration(input, LINTER_CONVENTIONS);
      const errors = validateSchemaDefinition(input, configuration.getRules(), configuration) as Array<{ message: string; ruleName: string }>;
      return errors.map((error) => `${error.ruleName}: ${error.message}`);
    };
    expect(lint(printed)).toEqual([]);
    // The committed file is what clients read; it is the same text (the drift test checks that too).
    expect(lint(readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8'))).toEqual([]);
    // The rule set is live: an undocumented, badly named field fails it.
    expect(lint('"""Reads."""\ntype Query {\n  """Fine."""\n  ok: Int\n  Bad_name: Int\n}\n')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^fields-have-descriptions/), expect.stringMatching(/^fields-are-camel-cased/)]),
    );
  });

  it('names only flag codes the trust model raises in the flag descriptions (a policy copying an example must match)', () => {
    const raised = new Set([...readFileSync(new URL('../../docs/trust-model.md', import.meta.url), 'utf8').matchAll(/^\| `([A-Z_]+)` \| (?:info|warning|critical)/gm)].map((m) => m[1]!));
    expect(raised.has('ABUSIVE_CLIENT')).toBe(true);
    const flag = schema.getType('TrustFlag');
    const policy = schema.getType('TrustPolicyInput');
    if (!isObjectType(flag) || !isInputObjectType(policy)) throw new Error('TrustFlag or TrustPolicyInput missing');
    for (const description of [flag.getFields().code!.description!, policy.getFields().rejectFlags!.description!]) {
      const named = [...description.matchAll(/\b[A-Z]+(?:_[A-Z]+)+\b|\bBURST\b/g)].map((m) => m[0]);
      expect(named.length).toBeGreaterThan(0);
      for (const code of named) expect(raised, `${code} in "${description}"`).toContain(code);
    }
  });
});
