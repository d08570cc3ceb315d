// JSON Schema validation of Credence credentials (the schemas under credentials/schemas/).
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { REPUTATION_CREDENTIAL, TASK_COMPLETION_CREDENTIAL } from './credential-types.ts';

function loadSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../../credentials/schemas/${file}`, import.meta.url), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** Schema documents by credential type, as shipped (also suitable for serving). */
export const CREDENTIAL_SCHEMAS: Readonly<Record<string, Record<string, unknown>>> = Object.freeze({
  [TASK_COMPLETION_CREDENTIAL]: loadSchema('task-completion-credential.json'),
  [REPUTATION_CREDENTIAL]: loadSchema('reputation-credential.json'),
});

const ajv = new Ajv2020({ allErrors: true, strict: true });
// ajv-formats is CommonJS; its default export arrives as the module object under NodeNext.
(addFormats as unknown as { default: (instance: Ajv2020) => void }).default(ajv);

const validators = new Map<string, ValidateFunction>(
  Object.entries(CREDENTIAL_SCHEMAS).map(([type, schema]) => [type, ajv.compile(schema)]),
);

/** Credential types that have a schema. */
export function hasSchema(type: string): boolean {
  return validators.has(type);
}

/**
 * Validates a W3C JSON credential (JWTs normalized first) against the schema of each of its types that has one.
 * Returns one message per violation; empty when valid or when no type has a schema.
 */
export function validateCredentialSchema(credential: Record<string, unknown>): string[] {
  const types = Array.isArray(credential.type) ? credential.type : [credential.type];
  const errors: string[] = [];
  for (const type of types) {
    const validate = typeof type === 'string' ? validators.get(type) : undefined;
    if (!validate || validate(credential)) continue;
    for (const error of validate.errors ?? []) {
      const extra = (error.params as { additionalProperty?: string }).additionalProperty;
      const detail = extra !== undefined ? ` (${JSON.stringify(extra)})` : '';
      errors.push(`schema (${type}): ${error.instancePath || '/'} ${error.message ?? 'is invalid'}${detail}`);
    }
  }
  return errors;
}
