// Descriptions for the types Pothos generates rather than a file of ours declares: mutation result unions,
// connections and edges, PageInfo and the Node interface. Written from what each one wraps, so a new mutation or
// connection is described the day it is added (the description test walks the printed schema).
import {
  GraphQLInterfaceType,
  GraphQLObjectType,
  GraphQLUnionType,
  getNamedType,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';

const PAGE_INFO_FIELDS: Record<string, string> = {
  hasNextPage: 'True when more edges follow this page in the list\'s order.',
  hasPreviousPage: 'True when more edges come before this page in the list\'s order.',
  startCursor: 'The cursor of the first edge of this page (pass it as `before` to page backward); null for an empty page.',
  endCursor: 'The cursor of the last edge of this page (pass it as `after` to page forward); null for an empty page.',
};

function describe(type: { description?: string | null | undefined }, text: string): void {
  if (!type.description) type.description = text;
}

function describeField(field: GraphQLField<unknown, unknown>, text: string): void {
  if (!field.description) field.description = text;
}

/** "`claimDid`" from "MutationClaimDidResult": the mutation a result union belongs to. */
function mutationOfResult(unionName: string): string | null {
  const match = /^Mutation(.+)Result$/.exec(unionName);
  return match ? match[1]!.charAt(0).toLowerCase() + match[1]!.slice(1) : null;
}

function describeResultUnion(union: GraphQLUnionType, schema: GraphQLSchema): void {
  const members = union.getTypes();
  const errorInterface = schema.getType('Error');
  const isError = (type: GraphQLObjectType) => errorInterface instanceof GraphQLInterfaceType && type.getInterfaces().includes(errorInterface);
  const payloads = members.filter((member) => !isError(member)).map((member) => member.name);
  const errors = members.filter(isError).map((member) => member.name);
  const mutation = mutationOfResult(union.name);
  describe(
    union,
    `What \`${mutation ?? union.name}\` answers: ${payloads.join(' or ')} on success, or one of ${errors.join(', ')} ` +
      '(each implements Error: branch on `__typename` or on `code`; nothing was changed when an error is returned).',
  );
}

function describeConnection(connection: GraphQLObjectType): void {
  const edges = connection.getFields()['edges'];
  const pageInfo = connection.getFields()['pageInfo'];
  const edge = edges ? getNamedType(edges.type) : undefined;
  const node = edge && isObjectType(edge) ? edge.getFields()['node'] : undefined;
  const nodeName = node ? getNamedType(node.type).name : 'item';
  describe(
    connection,
    `One page of ${nodeName} items, in the order the listing field documents (Relay cursor connection: page forward with ` +
      '`first` and `after`, backward with `last` and `before`).',
  );
  if (edges) describeField(edges, `The ${nodeName} items of this page, each with its cursor; empty when nothing matches.`);
  if (pageInfo) describeField(pageInfo, 'Where this page sits in the list: whether more pages follow or precede it, and its boundary cursors.');
}

function describeEdge(edge: GraphQLObjectType): void {
  const node = edge.getFields()['node'];
  const cursor = edge.getFields()['cursor'];
  const nodeName = node ? getNamedType(node.type).name : 'item';
  describe(edge, `One ${nodeName} in a page, with the cursor that marks its place in the list.`);
  if (node) describeField(node, `The ${nodeName} itself.`);
  if (cursor) {
    describeField(
      cursor,
      'An opaque cursor for this position: pass it as `after` (or `before`) to the same listing to continue from here. Do not parse it.',
    );
  }
}

/** Fills in descriptions the generated types lack; types and fields that have their own keep them. */
export function describeGeneratedTypes(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
    if (isUnionType(type) && /^Mutation.+Result$/.test(type.name)) describeResultUnion(type, schema);
    else if (isObjectType(type) && type.name.endsWith('Connection') && type.getFields()['pageInfo']) describeConnection(type);
    else if (isObjectType(type) && type.name.endsWith('Edge') && type.getFields()['cursor']) describeEdge(type);
  }
  const pageInfo = schema.getType('PageInfo');
  if (pageInfo instanceof GraphQLObjectType) {
    describe(pageInfo, 'Paging state of a connection page (Relay cursor connections).');
    for (const [name, text] of Object.entries(PAGE_INFO_FIELDS)) {
      const field = pageInfo.getFields()[name];
      if (field) describeField(field, text);
    }
  }
  const node = schema.getType('Node');
  if (node instanceof GraphQLInterfaceType) {
    describe(node, 'An object with a global id: fetch any of them again with `node(id:)` or `nodes(ids:)`.');
    const id = node.getFields()['id'];
    if (id) describeField(id, 'The global id: opaque, stable, and unique across every type. Pass it to `node(id:)`.');
  }
  const roots: Array<[string, string]> = [
    ['Query', 'Reads. Anonymous unless noted: private fields say which bearer token they need.'],
    ['Mutation', 'Writes. Each needs a bearer token (a DID-JWT for this service, used once) unless noted, and answers a result union: the payload, or a typed error with nothing changed.'],
    ['Subscription', 'Live updates, over server-sent events.'],
  ];
  for (const [name, text] of roots) {
    const root = schema.getType(name);
    if (root) describe(root, text);
  }
  return schema;
}
