// The schema builder: plugins and scalars only; types live in ./types, one per file.
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { GraphQLError } from 'graphql';
import type { RequestContext } from '../context.ts';
import type { AuthFailure } from '@pothos/plugin-scope-auth';
import { AuthError, InputError } from '../errors.ts';

export const builder = new SchemaBuilder<{
  Context: RequestContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
  };
  AuthScopes: { authenticated: boolean; admin: boolean };
}>({
  // Errors first so it wraps the others: auth and validation failures become typed error results.
  plugins: [ErrorsPlugin, ScopeAuthPlugin, ValidationPlugin, RelayPlugin, DataloaderPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: { nullable: true },
    nodesQueryOptions: { nullable: false },
  },
  errors: {
    directResult: true,
    unsafelyHandleInputErrors: true,
  },
  validation: {
    validationError: (failure) => {
      const issue = failure.issues[0];
      const field = issue?.path?.map((part) => String(typeof part === 'object' ? part.key : part)).join('.') ?? null;
      return new InputError(issue ? `${field ? `${field}: ` : ''}${issue.message}` : 'invalid input', field || null);
    },
  },
  scopeAuth: {
    treatErrorsAsUnauthorized: true,
    authScopes: async (context) => ({
      authenticated: async () => (await context.viewer()) !== null,
      admin: async () => (await context.requireViewer()).isAdmin,
    }),
    // A bad token reports its own reason (expired, replayed…); a missing one is UNAUTHENTICATED; a valid
    // caller without the role is FORBIDDEN.
    unauthorizedError: (_parent, _context, _info, result) => {
      const cause = findFailure(result.failure, (failure) => 'error' in failure && failure.error instanceof AuthError);
      if (cause && 'error' in cause && cause.error instanceof AuthError) return cause.error;
      if (findFailure(result.failure, (failure) => failure.kind === 'AuthScope' && failure.scope === 'admin')) {
        return new AuthError('FORBIDDEN', 'this operation is for admin DIDs');
      }
      return new AuthError('UNAUTHENTICATED', 'this operation needs a DID-JWT bearer token');
    },
  },
});

builder.scalarType('DateTime', {
  description: 'An ISO-8601 date-time in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : new Date(value).toISOString()),
  parseValue: (value) => {
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      throw new GraphQLError('DateTime must be an ISO-8601 string', { extensions: { code: 'INVALID_INPUT' } });
    }
    return new Date(value);
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** Depth-first search of scope-auth's failure tree (any/all scopes nest). */
function findFailure(failure: AuthFailure, match: (failure: AuthFailure) => boolean): AuthFailure | undefined {
  if (match(failure)) return failure;
  if ('failures' in failure) {
    for (const nested of failure.failures) {
      const found = findFailure(nested, match);
      if (found) return found;
    }
  }
  return undefined;
}
