// Relay's node(id:) and nodes(ids:). An id that is malformed, of a type that is not a Node, not found, or of an
// object the caller may not see answers null in its place; the other entries are unaffected.
import { resolveNodes } from '@pothos/plugin-relay';
import { GraphQLObjectType, type GraphQLSchema } from 'graphql';
import { z } from 'zod';
import { builder } from '../builder.ts';
import { decodeNodeId } from '../global-id.ts';

export const MAX_NODE_IDS = 100;

// Text PostgreSQL cannot hold names nothing stored.
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function nodeIdOrNull(value: string, schema: GraphQLSchema): { typename: string; id: string } | null {
  let decoded: { typename: string; id: string };
  try {
    decoded = decodeNodeId(value);
  } catch {
    return null;
  }
  if (UNSTORABLE.test(decoded.id)) return null;
  const type = schema.getType(decoded.typename);
  if (!(type instanceof GraphQLObjectType) || !type.getInterfaces().some((implemented) => implemented.name === 'Node')) return null;
  return decoded;
}

builder.queryFields((t) => ({
  node: t.field({
    type: builder.nodeInterfaceRef(),
    nullable: true,
    description: 'The object with this global id; null when there is none, or none the caller may see.',
    args: { id: t.arg.id({ required: true, description: 'A global id, as an `id` field returned it.' }) },
    resolve: async (_root, { id }, context, info) => {
      const [node] = await resolveNodes(builder, context, info, [nodeIdOrNull(String(id), info.schema)]);
      return (node ?? null) as never;
    },
  }),
  nodes: t.field({
    type: [builder.nodeInterfaceRef()],
    nullable: { list: false, items: true },
    description:
      `The objects with these global ids (at most ${MAX_NODE_IDS}), in the order asked; null in the place of each id ` +
      'that names nothing, or nothing the caller may see.',
    args: {
      ids: t.arg.idList({
        required: true,
        description: `Global ids, at most ${MAX_NODE_IDS}.`,
        validate: z.array(z.any()).max(MAX_NODE_IDS, `at most ${MAX_NODE_IDS} ids`),
      }),
    },
    resolve: (_root, { ids }, context, info) =>
      resolveNodes(builder, context, info, ids.map((id) => nodeIdOrNull(String(id), info.schema))) as never,
  }),
}));
