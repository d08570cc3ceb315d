import type { ServiceCredentialVerification } from '../../credentials/credential.service.ts';
import { builder } from '../builder.ts';

export const VerificationProblemRef = builder
  .objectRef<{ code: string; message: string }>('VerificationProblem')
  .implement({
    description: 'One reason a credential or presentation failed, with a stable code (REVOKED, EXPIRED, BAD_SIGNATURE…).',
    fields: (t) => ({
      code: t.exposeString('code', { description: 'A stable code: REVOKED, EXPIRED, BAD_SIGNATURE, UNEXPECTED_SHAPE, TOO_COSTLY…' }),
      message: t.exposeString('message', { description: 'The reason in English, for a developer or a log.' }),
    }),
  });

export const VerificationResultRef = builder.objectRef<ServiceCredentialVerification>('VerificationResult').implement({
  description:
    'The verdict on a credential: signature against the issuer\'s current or retired key, validity period, revocation ' +
    'status and schema. Credentials from other issuers are checked the same way and flagged by issuedByService.',
  fields: (t) => ({
    valid: t.exposeBoolean('valid', { description: 'True only when every check passes.' }),
    revoked: t.exposeBoolean('revoked', { description: 'True when its status list bit is set.' }),
    expired: t.exposeBoolean('expired', { description: 'True when the check time is past validUntil.' }),
    format: t.exposeString('format', { nullable: true, description: 'JWT, JSON_LD or DATA_INTEGRITY, when the input could be read.' }),
    credentialId: t.exposeString('id', { description: 'The credential\'s own id; null when it could not be read.', nullable: true }),
    issuer: t.exposeString('issuer', { description: 'The issuer DID; null when it could not be read.', nullable: true }),
    issuedByService: t.exposeBoolean('issuedByService', { description: 'The issuer is this service\'s DID.' }),
    subject: t.exposeString('subject', { description: 'The subject DID; null when it could not be read.', nullable: true }),
    types: t.exposeStringList('types', { description: 'The credential\'s types (VerifiableCredential first); empty when unreadable.' }),
    validFrom: t.field({ description: 'When it became valid; null when unreadable.', type: 'DateTime', nullable: true, resolve: (result) => result.validFrom }),
    validUntil: t.field({ description: 'When it stops being valid; null when it does not expire or is unreadable.', type: 'DateTime', nullable: true, resolve: (result) => result.validUntil }),
    errors: t.exposeStringList('errors', { description: 'Why it is invalid, one reason each; empty when valid.' }),
    problems: t.field({ description: 'The same reasons as `errors`, each with a stable code.', type: [VerificationProblemRef], resolve: (result) => result.problems }),
    warnings: t.exposeStringList('warnings', { description: 'Worth knowing without making it invalid (a foreign issuer).' }),
  }),
});
