// What an MCP client reads first (the `instructions` of initialize): how to use the tools and how far to trust the
// numbers. Written for a model deciding whether to hire, pay or present; kept short, since clients put it in context.

export const TRUST_MODEL_DOC = 'docs/trust-model.md';

export function serverInstructions(options: { canPresent: boolean; actsAs: 'token' | 'key' | 'none' }): string {
  const acting =
    options.actsAs === 'key'
      ? 'This server holds your key file: claim_did, list_my_credentials and request_credential act as that DID, each call signed with a fresh single-use token.'
      : options.actsAs === 'token'
        ? 'claim_did, list_my_credentials and request_credential act as the DID whose DID-JWT you send in Authorization: Bearer (audience = the service DID, single use: mint a fresh one per request). The read tools need no token.'
        : 'This server has no key: only the read tools work here; start it with --key to act as your own DID.';
  const presenting = options.canPresent
    ? 'create_presentation signs a Verifiable Presentation of your own credentials with your key, bound to the verifier\'s challenge and domain; the service never sees the key.'
    : 'Presentations are signed with the holder\'s own key, which this service never holds: run `credence mcp --key` (or `credence present`) where the key is.';
  return [
    'Credence answers "can I trust this agent?" from signed evidence, before you hire or pay it.',
    '',
    'Trust model: every score comes from task receipts that marketplaces signed and that counterparties or a settled ' +
      'escrow confirmed; self-dealing, reciprocal rings, bursts and sybil clusters are discounted and flagged, and ' +
      'money only counts when an escrow settled. A report has a 0-100 score, a tier (A best, F worst), a confidence ' +
      '(0-1: how much evidence there is, not how good it is), a seven-dimension vector, 7/30/90-day and lifetime ' +
      'windows, flags and an explanation whose points sum to the score. An unknown DID is tier F with confidence 0 ' +
      'and flag NO_HISTORY: absence of evidence, not evidence of fraud. Prefer check_trust with an explicit policy ' +
      'over reading the score alone, and treat low confidence as "not enough history". Credentials are W3C ' +
      `Verifiable Credentials signed by the service's did:web; verify_credential and verify_presentation check ` +
      `signature, issuer key, validity and revocation. The full model (formulas, constants, flags) is in ${TRUST_MODEL_DOC}.`,
    '',
    acting,
    presenting,
    'Errors come back as tool errors whose text starts with the service\'s error code (INVALID_INPUT, UNAUTHENTICATED, ' +
      'TOKEN_REPLAYED, NOT_FOUND, RATE_LIMITED, ...).',
  ].join('\n');
}
