import { builder } from '../builder.ts';
import { IssuerKeyRef } from './issuer-key.ts';

export interface ServiceInfoShape {
  did: string;
  version: string;
  publicUrl: string;
}

export const ServiceInfoRef = builder.objectRef<ServiceInfoShape>('ServiceInfo').implement({
  description: 'Who this service is: its did:web, its keys and where its public documents live.',
  fields: (t) => ({
    did: t.exposeString('did'),
    version: t.exposeString('version'),
    didDocumentUrl: t.string({ resolve: (info) => `${info.publicUrl}/.well-known/did.json` }),
    statusListUrl: t.string({ resolve: (info) => `${info.publicUrl}/credentials/status/1` }),
    contextUrl: t.string({ resolve: (info) => `${info.publicUrl}/contexts/credence/v1` }),
    issuerKeys: t.field({
      type: [IssuerKeyRef],
      resolve: async (info, _args, context) =>
        (await context.services.issuerKeys.list()).map((key) => ({ ...key, serviceDid: info.did })),
    }),
  }),
});
