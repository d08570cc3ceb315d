// The architecture fences (`npm run check:architecture`): pure modules stay pure, folders form no cycle, and a
// service reaches another domain's data only through that domain's service. Each rule is proven to fire by
// test/unit/architecture.test.ts, which runs this configuration over small fixture trees.
// .dependency-cruiser-known-violations.json lists the services that still read another domain's repository inside
// their own transaction (receipts and webhooks read platforms); they are tolerated by name until those reads move
// behind the owning service, and any new one fails.
/** Modules that must not do I/O: the trust engine, credential issue/verify, the did:web document, the renderers. */
const PURE = [
  '^src/trust/engine/',
  '^src/credentials/(credential-shape|credential-types|dates|jsonld-credential|jwt-credential|presentation|schema-validation|status-list|verification-result|verify)\\.ts$',
  '^src/issuer/did-web\\.ts$',
  '^src/web/badges/',
  '^src/web/pages/',
  '^src/web/escape\\.ts$',
];

module.exports = {
  forbidden: [
    {
      name: 'pure-module-does-io',
      comment: 'The trust engine, credential issue/verify and the renderers are pure: no database, HTTP layer or GraphQL.',
      severity: 'error',
      from: { path: PURE },
      to: {
        // The route modules of src/rest/ and src/web/ (src/web/*-routes.ts) are the HTTP layer too.
        path: ['^src/db/', '^src/http/', '^src/rest/', '^src/web/[^/]+-routes\\.ts$', '^src/graphql/', '\\.repository\\.ts$'],
      },
    },
    {
      name: 'pure-module-imports-io-package',
      comment: 'Pure modules do not import database drivers, GraphQL, HTTP server or router packages either.',
      severity: 'error',
      from: { path: PURE },
      to: { path: '(^|node_modules/)(kysely|pg|@electric-sql/pglite|graphql|graphql-yoga|@pothos/[^/]+|undici|hono|@hono/[^/]+)(/|$)' },
    },
    {
      name: 'pure-module-imports-network',
      comment: 'Pure modules do not open sockets or resolve names.',
      severity: 'error',
      from: { path: PURE },
      to: { dependencyTypes: ['core'], path: '^(node:)?(http|https|http2|net|dns|dns/promises|tls|dgram|child_process)$' },
    },
    {
      name: 'no-folder-cycle',
      comment: 'Folders under src/ depend on each other in one direction only.',
      severity: 'error',
      scope: 'folder',
      // Folder names here have no trailing slash: "src/identity".
      from: { path: '^src/[^/]+' },
      to: { circular: true },
    },
    {
      name: 'no-module-cycle',
      comment: 'No module reaches itself through its imports (type-only imports included; a lazy import() breaks a cycle).',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true, dependencyTypesNot: ['dynamic-import'], viaOnly: { dependencyTypesNot: ['dynamic-import'] } },
    },
    {
      name: 'service-uses-foreign-repository',
      comment: "A service uses its own domain's repositories; another domain's data comes through that domain's service.",
      severity: 'error',
      from: { path: '^src/([^/]+)/.+\\.service\\.ts$' },
      to: { path: '\\.repository\\.ts$', pathNot: '^src/$1/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a pure module must not even name the database's types.
    tsPreCompilationDeps: true,
    exclude: { path: '\\.mjs$' },
  },
};
