import type { CredentialRow } from '../../db/schema.ts';
import { builder } from '../builder.ts';
import { CredentialFormatEnum } from './credential-format.ts';
import { CredentialTypeEnum } from './credential-type.ts';
import { ReceiptRef } from './receipt.ts';

export const CredentialRef = builder.loadableNodeRef<CredentialRow, string, string>('Credential', {
  id: { resolve: (credential) => credential.id, description: 'The global id (opaque): use it with node(id:); credentialId is the id inside the credential.' },
  load: (ids, context) => context.services.credentials.findByIds(ids),
  sort: (credential) => credential.id,
});

CredentialRef.implement({
  description: 'A verifiable credential this service issued, with its revocation state.',
  isTypeOf: (value) => typeof value === 'object' && value !== null && 'status_index' in value,
  fields: (t) => ({
    credentialId: t.exposeString('id', { description: 'The credential\'s own id (`urn:uuid:…`), as inside the credential.' }),
    type: t.field({ description: 'What the credential attests.', type: CredentialTypeEnum, resolve: (credential) => credential.type }),
    format: t.field({ description: 'How it is encoded and signed.', type: CredentialFormatEnum, resolve: (credential) => credential.format }),
    subject: t.exposeString('subject_did', { description: 'The DID the credential is about (its credentialSubject.id).' }),
    issuer: t.exposeString('issuer_did', { description: 'The issuer DID: this service\'s did:web.' }),
    issuedAt: t.field({ description: 'When it was issued (its validFrom).', type: 'DateTime', resolve: (credential) => credential.issued_at }),
    expiresAt: t.field({ description: 'When it stops being valid (its validUntil); null when it does not expire. REPUTATION credentials last 30 days.', type: 'DateTime', nullable: true, resolve: (credential) => credential.expires_at }),
    receipt: t.field({
      type: ReceiptRef,
      nullable: true,
      description: 'The receipt a task credential is built on.',
      resolve: (credential) => credential.receipt_id,
    }),
    statusListIndex: t.int({ description: 'The credential\'s bit in the revocation status list at statusListCredential (0-based).', resolve: (credential) => credential.status_index }),
    statusListCredential: t.string({
      description: 'URL of the status list that publishes this credential\'s revocation bit.',
      resolve: (credential, _args, context) => `${context.publicUrl}/credentials/status/${credential.status_list_id}`,
    }),
    revoked: t.boolean({ description: 'True once revoked; a revoked credential never becomes valid again.', resolve: (credential) => credential.revoked_at !== null }),
    revokedAt: t.field({ description: 'When it was revoked; null while it is not.', type: 'DateTime', nullable: true, resolve: (credential) => credential.revoked_at }),
    revokedReason: t.exposeString('revoked_reason', { description: 'Why it was revoked, as given to revokeCredential (or the receipt revocation that caused it); null while not revoked.', nullable: true }),
    encoded: t.exposeString('encoded', { description: 'The credential itself: the JWT, or the JSON-LD document as JSON text.' }),
  }),
});
