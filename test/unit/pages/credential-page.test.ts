import { describe, expect, it } from 'vitest';
import { renderCredentialCheckPage, renderCredentialNotFoundPage, type CredentialCheckView } from '../../../src/web/pages/credential-page.ts';

const HOSTILE = '<img src=x onerror=alert(1)>';

function view(overrides: Partial<CredentialCheckView> = {}): CredentialCheckView {
  return {
    credentialId: 'urn:uuid:6be02031-eb47-4b75-9983-158e7c9fd28d',
    type: 'REPUTATION',
    format: 'JWT',
    valid: true,
    revoked: false,
    expired: false,
    issuer: 'did:web:localhost%3A4000',
    issuedByService: true,
    subject: 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
    types: ['VerifiableCredential', 'ReputationCredential'],
    validFrom: '2026-11-01T12:00:00Z',
    validUntil: null,
    errors: [],
    warnings: [],
    downloadUrl: '/credentials/6be02031-eb47-4b75-9983-158e7c9fd28d',
    profileUrl: '/agents/did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK',
    checkedAt: '2026-11-02T08:00:00Z',
    ...overrides,
  };
}

describe('credential check page', () => {
  it('says valid, with what the credential states and links to download it and to the subject', () => {
    const page = renderCredentialCheckPage(view());
    expect(page).toContain('<strong>Valid.</strong>');
    expect(page).toContain('this service\u2019s published keys');
    expect(page).toContain('Reputation');
    expect(page).toContain('VerifiableCredential, ReputationCredential');
    expect(page).toContain('no expiry');
    expect(page).toContain('2026-11-01 12:00 UTC');
    expect(page).toContain('href="/credentials/6be02031-eb47-4b75-9983-158e7c9fd28d" download');
    expect(page).toContain('href="/agents/did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"');
    expect(page).not.toContain('id="verify-errors"');
  });

  it('says why an invalid credential fails, and escapes every string', () => {
    const page = renderCredentialCheckPage(
      view({ valid: false, revoked: true, issuer: HOSTILE, subject: HOSTILE, errors: [`status: ${HOSTILE}`], warnings: [HOSTILE], types: [HOSTILE] }),
    );
    expect(page).toContain('Not valid');
    expect(page).toContain('It was revoked.');
    expect(page).toContain('<strong class="revoked">Yes</strong>');
    expect(page).toContain('id="verify-errors"');
    expect(page).not.toContain('<img');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(renderCredentialCheckPage(view({ valid: false, expired: true }))).toContain('It has expired.');
  });

  it('drops unsafe links', () => {
    const page = renderCredentialCheckPage(view({ downloadUrl: 'javascript:alert(1)', profileUrl: 'javascript:alert(2)' }));
    expect(page).not.toContain('javascript:');
    expect(page).not.toContain('Subject\u2019s profile');
  });

  it('renders a not-found page with the id as text', () => {
    const page = renderCredentialNotFoundPage(`urn:uuid:${HOSTILE}`);
    expect(page).toContain('No such credential');
    expect(page).toContain('urn:uuid:&lt;img');
    expect(page).toContain('<meta name="robots" content="noindex">');
  });
});
