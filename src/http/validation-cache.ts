// Validation results kept per parsed document, in place of yoga's own validation cache. Yoga's keyed its cache on the
// validation rules' names, joined into a string on every request (about 30 rules, each name read through a getter):
// that was about 2% of a warm trust read's CPU, for a key that never changes here.
//
// The rules are the same for every request (graphql-js's, plus the armor limits from fixed configuration; the armor
// plugin adds fresh closures of the same rules on each request, so only their count and order are stable). A result
// is kept with the number of rules it was validated against, and reused only for that number, so a rule added for
// some requests only would never be skipped. Parsed documents are shared across requests by yoga's parser cache
// (same text, same object), so a document is found by identity, and forgotten with it.
import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';

interface Validated {
  ruleCount: number;
  /** What validation answered (its errors; none for a valid document). */
  errors: readonly Error[];
}

/** Place it after every plugin that adds validation rules: it sees the rules they added. */
export function validationCachePlugin(): Plugin {
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Validated>>();
  return {
    onValidate({ params: { schema, documentAST, rules }, setResult }) {
      let byDocument = bySchema.get(schema);
      if (!byDocument) bySchema.set(schema, (byDocument = new WeakMap()));
      const ruleCount = rules?.length ?? -1;
      const known = byDocument.get(documentAST);
      if (known && known.ruleCount === ruleCount) {
        setResult(known.errors);
        return;
      }
      const cache = byDocument;
      return ({ result }) => {
        if (result != null) cache.set(documentAST, { ruleCount, errors: result });
      };
    },
  };
}
