import { builder } from '../builder.ts';
import { CREDENCE_CONTEXT_V1_PATH, CREDENCE_CONTEXT_V1_URL } from '../../credentials/contexts.ts';
import { IssuerKeyRef } from './issuer-key.ts';

export interface ServiceInfoShape {
  did: string;
  version: string;
  publicUrl: string;
}

export const ServiceInfoRef = builder.objectRef<ServiceInfoShape>('ServiceInfo').implement({
  description: 'Who this service is: its did:web, its keys and where its public documents live.',
  fields: (t) => ({
    did: t.exposeString('did', { description: 'The service\'s did:web, derived from its public URL: the issuer of its credentials.' }),
    version: t.exposeString('version', { description: 'The running Credence version.' }),
    didDocumentUrl: t.string({ description: 'Where the service\'s DID document (its public keys) is served.', resolve: (info) => `${info.publicUrl}/.well-known/did.json` }),
    statusListUrl: t.string({ description: 'Where the first revocation status list is served.', resolve: (info) => `${info.publicUrl}/credentials/status/1` }),
    contextUrl: t.string({
      description: 'Where this service serves the Credence JSON-LD context (the same document as canonicalContextUrl).',
      resolve: (info) => `${info.publicUrl}${CREDENCE_CONTEXT_V1_PATH}`,
    }),
    canonicalContextUrl: t.string({
      description: 'The Credence context URL written into credentials; verifiers map it to the bundled or served copy.',
      resolve: () => CREDENCE_CONTEXT_V1_URL,
    }),
    issuerKeys: t.field({
      description: 'Every issuer key, the ACTIVE one and the RETIRED ones that still verify earlier credentials.',
      type: [IssuerKeyRef],
      resolve: async (info, _args, context) =>
        (await context.services.issuerKeys.list()).map((key) => ({ ...key, serviceDid: info.did })),
    }),
  }),
});
