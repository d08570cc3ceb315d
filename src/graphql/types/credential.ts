import type { CredentialRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { CredentialFormatEnum } from './credential-format.ts';
import { CredentialTypeEnum } from './credential-type.ts';
import { ReceiptRef } from './receipt.ts';

export const CredentialRef = builder.loadableNodeRef<CredentialRow, string, string>('Credential', {
  id: { resolve: (credential) => credential.id },
  load: (ids, context) => context.services.credentials.findByIds(ids),
  sort: (credential) => credential.id,
});

CredentialRef.implement({
  description: 'A verifiable credential this service issued, with its revocation state.',
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'status_index' in value,
  fields: (t) => ({
    credentialId: t.exposeString('id', { description: 'The credential\'s own id (`urn:uuid:…`), as inside the credential.' }),
    type: t.field({ type: CredentialTypeEnum, resolve: (credential) => credential.type }),
    format: t.field({ type: CredentialFormatEnum, resolve: (credential) => credential.format }),
    subject: t.exposeString('subject_did'),
    issuer: t.exposeString('issuer_did'),
    issuedAt: t.field({ type: 'DateTime', resolve: (credential) => credential.issued_at }),
    expiresAt: t.field({ type: 'DateTime', nullable: true, resolve: (credential) => credential.expires_at }),
    receipt: t.field({
      type: ReceiptRef,
      nullable: true,
      description: 'The receipt a task credential is built on.',
      resolve: (credential) => credential.receipt_id,
    }),
    statusListIndex: t.int({ resolve: (credential) => credential.status_index }),
    statusListCredential: t.string({
      description: 'URL of the status list that publishes this credential\'s revocation bit.',
      resolve: (credential, _args, context) => `${context.publicUrl}/credentials/status/${credential.status_list_id}`,
    }),
    revoked: t.boolean({ resolve: (credential) => credential.revoked_at !== null }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (credential) => credential.revoked_at }),
    revokedReason: t.exposeString('revoked_reason', { nullable: true }),
    encoded: t.exposeString('encoded', { description: 'The credential itself: the JWT, or the JSON-LD document as JSON text.' }),
  }),
});
