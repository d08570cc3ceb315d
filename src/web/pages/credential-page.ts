// The result of checking one stored credential, as a page linked from profiles (pure: the route verifies, this draws).
import { html, safeUrl, type SafeHtml } from './html.ts';
import { renderLayout } from './layout.ts';
import { humanizeEnum } from './profile-page.ts';

export interface CredentialCheckView {
  credentialId: string;
  /** `REPUTATION` or `TASK_COMPLETION`. */
  type: string;
  /** `JWT`, `JSON_LD` or `DATA_INTEGRITY`. */
  format: string;
  valid: boolean;
  revoked: boolean;
  /** When and why it was revoked, from the service's records (null when not revoked or unknown). */
  revokedAt?: Date | string | null;
  revocationReason?: string | null;
  expired: boolean;
  issuer: string | null;
  /** Whether the issuer is this service. */
  issuedByService: boolean;
  subject: string | null;
  types: readonly string[];
  validFrom: Date | string | null;
  validUntil: Date | string | null;
  /** One sentence per problem found. */
  errors: readonly string[];
  warnings: readonly string[];
  downloadUrl: string;
  /** The subject's profile, when the subject is a DID with one. */
  profileUrl?: string | null;
  /** When the check ran. */
  checkedAt: Date | string;
  graphqlUrl?: string;
}

const FORMAT_WORDS: Readonly<Record<string, string>> = { JWT: 'JWT', JSON_LD: 'JSON-LD', DATA_INTEGRITY: 'Data Integrity' };

function when(value: Date | string | null): string {
  if (value === null) return 'not set';
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return 'not set';
  const iso = date.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function verdict(view: CredentialCheckView): SafeHtml {
  if (view.valid) {
    return html`<p id="verify-result" class="ok"><strong>Valid.</strong> The signature checks out against ${
      view.issuedByService ? 'this service\u2019s published keys' : 'the issuer\u2019s key'
    }, and the credential is neither revoked nor expired.</p>`;
  }
  const reason = view.revoked ? html`It was revoked${revocationText(view)}.` : view.expired ? 'It has expired.' : 'See the problems below.';
  return html`<ul class="plain flags"><li class="flag sev-critical"><p id="verify-result"><span class="sev">Not valid</span>${reason}</p></li></ul>`;
}

/** ` on <time>: <reason>` from what the service recorded at revocation, as far as it is known. */
function revocationText(view: CredentialCheckView): SafeHtml {
  const at = view.revokedAt ? html` on <time id="revoked-at" datetime="${new Date(view.revokedAt).toISOString()}">${when(view.revokedAt)}</time>` : '';
  const reason = view.revocationReason?.trim() ? html`: <span id="revocation-reason">${view.revocationReason.trim()}</span>` : '';
  return html`${at}${reason}`;
}

/** The verification page of a stored credential. */
export function renderCredentialCheckPage(view: CredentialCheckView): string {
  const kind = humanizeEnum(view.type);
  const rows: Array<[string, SafeHtml | string]> = [
    ['Type', html`${kind} <span class="muted">(${view.types.join(', ') || 'unknown'})</span>`],
    ['Format', FORMAT_WORDS[view.format] ?? view.format],
    ['Issuer', html`<code class="did">${view.issuer ?? 'unknown'}</code>`],
    ['Subject', html`<code class="did">${view.subject ?? 'unknown'}</code>`],
    ['Valid from', when(view.validFrom)],
    ['Valid until', view.validUntil === null ? 'no expiry' : when(view.validUntil)],
    ['Revoked', view.revoked ? html`<strong class="revoked">Yes</strong>${view.revokedAt ? html`, ${when(view.revokedAt)}` : ''}` : 'No'],
    ...(view.revoked && view.revocationReason?.trim() ? [['Reason', view.revocationReason.trim()] as [string, string]] : []),
  ];
  const body = html`<h1>Credential check</h1>
<p class="did muted"><code id="credential-id">${view.credentialId}</code></p>
${verdict(view)}
<div class="table-wrap" role="region" aria-labelledby="credential-caption" tabindex="0"><table id="credential-table">
<caption id="credential-caption">What the credential says</caption>
<tbody>${rows.map(([label, value]) => html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`)}</tbody>
</table></div>
${
  view.errors.length > 0
    ? html`<h2 id="problems-h">Problems</h2><ul id="verify-errors" aria-labelledby="problems-h">${view.errors.map((error) => html`<li>${error}</li>`)}</ul>`
    : ''
}
${
  view.warnings.length > 0
    ? html`<h2 id="warnings-h">Warnings</h2><ul aria-labelledby="warnings-h">${view.warnings.map((warning) => html`<li>${warning}</li>`)}</ul>`
    : ''
}
<p class="actions"><a href="${safeUrl(view.downloadUrl)}" download>Download the credential</a>${
    view.profileUrl && safeUrl(view.profileUrl) !== '#' ? html`<a href="${safeUrl(view.profileUrl)}">Subject\u2019s profile</a>` : ''
  }</p>
<p class="hint">Checked ${when(view.checkedAt)} against the keys and status list this service publishes. Anyone can repeat
the check offline: download the file and run <code>credence verify FILE</code>.</p>`;
  return renderLayout({
    title: `${view.valid ? 'Valid' : 'Invalid'} ${kind.toLowerCase()} \u00b7 Credence`,
    description: `Verification result for credential ${view.credentialId}.`,
    noindex: true,
    graphqlUrl: view.graphqlUrl,
    body,
  });
}

/** 404: no credential with this id. */
export function renderCredentialNotFoundPage(credentialId: string, graphqlUrl?: string): string {
  const body = html`<h1>No such credential</h1>
<p>This service has not issued a credential with the id</p>
<p class="did"><code id="credential-id">${credentialId}</code></p>`;
  return renderLayout({ title: 'Credential not found \u00b7 Credence', noindex: true, graphqlUrl, body });
}
