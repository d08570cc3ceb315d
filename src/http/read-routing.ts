// Which requests may read from the replica. A request is public, and its reads may go to the replica, only when it
// carries no credentials and can write nothing: GET and HEAD, and GraphQL POSTs without a bearer token whose operation
// turns out to be a query. Anything else (a bearer token, a REST POST such as a signed receipt, a mutation, a
// subscription, whose events announce changes the reader must then see) reads the primary, so a caller always sees
// its own writes and a change it was told about (docs/operations.md, "Read replicas").
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { ReadRouter } from '../db/read-router.ts';
import { requestPath } from './request-path.ts';

const READ_METHODS = new Set(['GET', 'HEAD']);

export function readRoutingPlugin(reads: ReadRouter): Plugin {
  if (!reads.hasReplica) return {};
  const pinOperation = ({ args }: { args: { document: Parameters<typeof getOperationAST>[0]; operationName?: string | null | undefined } }) => {
    const operation = getOperationAST(args.document, args.operationName ?? undefined);
    if (!operation || operation.operation !== 'query') reads.pinToPrimary();
  };
  return {
    // Around the whole request (not a hook inside it), so the decision holds for everything the request awaits and
    // for nothing else: not the next request, not the code that called the handler.
    instrumentation: {
      request({ request }, wrapped) {
        const graphqlPost = request.method === 'POST' && requestPath(request) === '/graphql';
        const publicRead = !request.headers.has('authorization') && (READ_METHODS.has(request.method) || graphqlPost);
        return reads.run(!publicRead, wrapped);
      },
    },
    onExecute: pinOperation,
    onSubscribe: pinOperation,
  };
}
