// The public profile page of a DID (pure: the route gathers a `ProfileView` and this turns it into HTML).
//
// Works without JavaScript (there is none), reads on a phone (one column, tables scroll inside their own box), and
// treats every string from the view as text: display names, DIDs, platform names, flag details.
import { html, raw, safeUrl, type SafeHtml } from './html.ts';
import { renderLayout } from './layout.ts';
import { formatScore } from '../badges/trust-badge.ts';
import type { WindowStats as TrustWindowStats } from '../../trust/engine/types.ts';
import { DIMENSIONS, renderRadarChart, renderVectorTable, type TrustVector } from './radar-chart.ts';
import { describeActivity, buildActivitySeries, renderActivityChart, type ActivityDay } from './activity-chart.ts';

export type Tier = 'A' | 'B' | 'C' | 'D' | 'F';

export interface ProfileAgent {
  did: string;
  /** Self-chosen and untrusted: always rendered as text. */
  displayName: string | null;
  /** `AGENT`, `SERVICE` or `HUMAN`. */
  kind: string;
  claimedAt: string | Date | null;
}

/** The trust model's window stats; the page does not show the verified-volume figure. */
export type WindowStats = Omit<TrustWindowStats, 'verifiedVolumeUsd'>;

export interface ClientStats {
  jobsAsClient: number;
  disputesFiled: number;
  /** 0..1 */
  disputeRate: number;
  restricted: boolean;
}

export interface TrustFlag {
  code: string;
  /** e.g. `INFO`, `WARNING`, `CRITICAL` (any case). */
  severity: string;
  detail?: string | null;
}

/** One entry of `TrustReport.explanation`: plain text, or a structured item. */
export type ExplanationItem =
  | string
  | {
      dimension?: string | null;
      /** Human-readable text; the first of `text`, `message`, `detail` that is present is shown. */
      text?: string | null;
      message?: string | null;
      detail?: string | null;
      /** Effect on the score in points (positive raises it). */
      impact?: number | null;
    };

export interface ProfileReport {
  asOf?: string | Date | null;
  score: number;
  tier: Tier;
  /** 0..1 */
  confidence: number;
  vector: TrustVector;
  windows: { d7: WindowStats; d30: WindowStats; d90: WindowStats; lifetime: WindowStats };
  client: ClientStats;
  flags: readonly TrustFlag[];
  explanation: readonly ExplanationItem[];
}

export interface ProfileReceipt {
  /** Platform name, or its DID when it has no name. */
  platform: string;
  actionCategory: string;
  /** `accepted`, `rejected` or `disputed`. */
  outcome: string;
  valueUsd: number | null;
  /** `ESCROW_VERIFIED`, `COUNTERPARTY_SIGNED`, `PLATFORM_SIGNED` or `IMPORTED`. */
  confidence: string;
  occurredAt: string | Date;
}

export interface ProfileCredential {
  id: string;
  /** `REPUTATION`, `TASK_COMPLETION` (or a VC type name). */
  type: string;
  /** `JWT`, `JSON_LD` or `DATA_INTEGRITY`. */
  format: string;
  issuedAt: string | Date;
  revoked: boolean;
  downloadUrl: string;
  verifyUrl?: string | null;
}

export interface ProfileBadge {
  /** Absolute URL of the SVG badge, as used in the snippets. */
  svgUrl: string;
  /** Same-origin path for the preview image (`img-src 'self'`); defaults to `svgUrl`. */
  svgPath?: string;
  /** The shields.io endpoint JSON URL. */
  jsonUrl?: string;
  markdown: string;
  html: string;
}

export interface ProfileView {
  /** The DID the page is about (from the URL). */
  did: string;
  /** The last day of the activity chart; pass the request time or the report's `asOf`. */
  now: string | Date;
  /** `null` when nobody has claimed this DID. */
  agent: ProfileAgent | null;
  /** `null` when there is no trust report to show. */
  report: ProfileReport | null;
  /** Per-day counts; days outside the last 90 are ignored. */
  activity: readonly ActivityDay[];
  /** Newest first, already limited by the caller. */
  recentReceipts: readonly ProfileReceipt[];
  credentials: readonly ProfileCredential[];
  badge: ProfileBadge;
  /** Canonical absolute URL of this page. */
  publicUrl: string;
  /** GraphQL endpoint (GraphiQL in a browser); defaults to `/graphql`. */
  graphqlUrl?: string;
}

// ---- words ----

/** Plain-language sentences for the flag codes the trust engine raises. Unknown codes fall back to their detail. */
export const FLAG_SENTENCES: Readonly<Record<string, string>> = Object.freeze({
  NO_HISTORY: 'There is no verified activity for this DID yet, so there is nothing to base a score on.',
  SELF_DEALING: 'Some work looks like self-dealing: the same party appears on both sides of a job. That work does not count.',
  RECIPROCAL_RING: 'Part of the record comes from a small group of identities vouching for each other in a ring. It counts for less.',
  BURST: 'Activity arrived in a sudden burst far above this agent\u2019s usual pace. The burst counts for less.',
  SYBIL_CLUSTER: 'Many counterparties look like a cluster of new, linked identities with little history of their own. Their weight is reduced.',
  COUNTERPARTY_CONCENTRATION: 'Most of the work comes from very few counterparties, so the record is less independent than it looks.',
  COMPLIANCE_VIOLATION: 'A platform reported a compliance incident or violation against this agent.',
  CLIENT_RESTRICTED: 'As a client, this DID disputes a large share of its jobs (at least 40%, with 3 or more disputes filed), so platforms may restrict it.',
  ABUSIVE_CLIENT: 'As a client, this DID disputes, refunds or rejects far more of its hires than the same workers\u2019 other clients do. Its disputes count for little, and its own score is reduced.',
  DISPUTES_DISCOUNTED: 'Some disputes against this agent came from clients who dispute far more than the agent\u2019s other clients do, so they count for less.',
  LOW_CONFIDENCE: 'Little evidence stands behind this score, so it may change quickly.',
  STALE: 'Most of the evidence is old; recent activity is thin.',
  HIGH_DISPUTE_RATE: 'A high share of this agent\u2019s paid jobs ended in a dispute.',
  STALE_HISTORY: 'Recent activity is well below this agent\u2019s own usual pace, so older work counts for less.',
  UNVERIFIED_VOLUME: 'Some paid work was reported without a settled escrow behind it, so it does not raise the economic score.',
  LOW_CREDIBILITY_PLATFORM: 'Some of the evidence comes from platforms that are new, suspended or report more than their peers, so it counts for less.',
  LATER_EVIDENCE_INCLUDED: 'This report looks back in time, and some of the counted evidence is newer than the report date.',
});

export function flagSentence(flag: TrustFlag): string {
  const known = FLAG_SENTENCES[flag.code.toUpperCase()];
  if (known) return known;
  const detail = flag.detail?.trim();
  if (detail) return detail;
  return `Flag raised: ${humanizeEnum(flag.code)}.`;
}

const TIER_WORDS: Readonly<Record<Tier, string>> = {
  A: 'Excellent: a substantial, verified and clean record.',
  B: 'Good: a solid record with minor gaps or little history.',
  C: 'Fair: some verified work, with limits or concerns.',
  D: 'Weak: little verified work or significant concerns.',
  F: 'Poor or no record: not enough trustworthy evidence.',
};

const CATEGORY_WORDS: Readonly<Record<string, string>> = {
  'economic.transaction': 'Paid job',
  'economic.dispute': 'Dispute',
  'economic.refund': 'Refund',
  'productivity.task': 'Task',
  'productivity.application': 'Application',
  'productivity.completion': 'Completion',
  'identity.profile_update': 'Profile update',
  'identity.verification': 'Identity verification',
  'social.post': 'Post',
  'social.comment': 'Comment',
  'social.endorsement': 'Endorsement',
  'compliance.incident': 'Compliance incident',
  'compliance.violation': 'Compliance violation',
};

const CONFIDENCE_WORDS: Readonly<Record<string, string>> = {
  ESCROW_VERIFIED: 'Escrow verified',
  COUNTERPARTY_SIGNED: 'Counterparty signed',
  PLATFORM_SIGNED: 'Platform signed',
  IMPORTED: 'Imported',
};

const CREDENTIAL_WORDS: Readonly<Record<string, string>> = {
  REPUTATION: 'Reputation credential',
  REPUTATIONCREDENTIAL: 'Reputation credential',
  TASK_COMPLETION: 'Task completion credential',
  TASKCOMPLETIONCREDENTIAL: 'Task completion credential',
};

const FORMAT_WORDS: Readonly<Record<string, string>> = { JWT: 'JWT', JSON_LD: 'JSON-LD', JSONLD: 'JSON-LD', DATA_INTEGRITY: 'Data Integrity' };

/** `ESCROW_VERIFIED` → `Escrow verified`. */
export function humanizeEnum(value: string): string {
  const words = value.replace(/[._-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

// ---- numbers and dates ----

const finite = (value: number | null | undefined): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 2, minimumFractionDigits: 2 });
const usdWhole = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Dollars for summaries: cents below $100, whole dollars from there on. */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '\u2014';
  return Math.abs(value) >= 100 ? usdWhole.format(value) : usd.format(value);
}

/** Dollars and cents, for single receipts. */
export function formatUsdExact(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '\u2014';
  return usd.format(value);
}

export function formatPercent(rate: number | null | undefined): string {
  const r = finite(rate);
  const pct = r * 100;
  if (pct === 0 || pct === 100) return `${pct}%`;
  return `${pct < 10 ? pct.toFixed(1) : Math.round(pct)}%`;
}

function toDate(value: string | Date | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = typeof value === 'string' ? new Date(value) : value;
  return Number.isNaN(date.getTime()) ? null : date;
}

function timeTag(value: string | Date | null | undefined, withTime = false): SafeHtml {
  const date = toDate(value);
  if (!date) return html`<span class="muted">unknown</span>`;
  const iso = date.toISOString();
  const text = withTime ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso.slice(0, 10);
  return html`<time datetime="${iso}">${text}</time>`;
}

// ---- page parts ----

export function displayNameOf(view: Pick<ProfileView, 'agent'>): string {
  const name = view.agent?.displayName?.trim();
  return name ? name : view.agent ? 'Unnamed agent' : 'Unclaimed DID';
}

function header(view: ProfileView): SafeHtml {
  const agent = view.agent;
  return html`<header class="profile-head">
<h1 id="agent-name">${displayNameOf(view)}</h1>
<p class="did"><span class="visually-hidden">DID: </span><code id="agent-did">${view.did}</code></p>
<p class="muted">${
    agent
      ? html`<span class="kind">${humanizeEnum(agent.kind)}</span> Claimed ${timeTag(agent.claimedAt)}`
      : html`This DID has not been claimed by its owner; the record below comes from platforms\u2019 receipts.`
  } \u00b7 <a href="${safeUrl(view.publicUrl)}">Permalink</a></p>
</header>`;
}

function summary(report: ProfileReport): SafeHtml {
  const score = formatScore(finite(report.score));
  const confidence = Math.min(1, Math.max(0, finite(report.confidence)));
  const lowConfidence = confidence < 0.3;
  return html`<section aria-labelledby="summary-h">
<h2 id="summary-h" class="visually-hidden">Summary</h2>
<dl class="summary">
<div class="stat"><dt>Trust score</dt><dd id="trust-score">${score} <small>/ 100</small></dd></div>
<div class="stat"><dt>Tier</dt><dd><span id="trust-tier" class="tier tier-${report.tier}" aria-label="Tier ${report.tier}">${report.tier}</span></dd></div>
<div class="stat"><dt>Confidence</dt><dd>${formatPercent(confidence)}</dd></div>
<div class="stat"><dt>Tasks (lifetime)</dt><dd>${count.format(finite(report.windows.lifetime.tasks))}</dd></div>
</dl>
<p><strong>Tier ${report.tier}.</strong> ${TIER_WORDS[report.tier]}${
    lowConfidence ? ' Confidence is low: little evidence stands behind this score yet.' : ''
  }${report.asOf ? html` <span class="muted">As of ${timeTag(report.asOf, true)}.</span>` : ''}</p>
</section>`;
}

function vectorSection(report: ProfileReport): SafeHtml {
  return html`<section aria-labelledby="vector-h">
<h2 id="vector-h">Trust vector</h2>
<div class="cols">
<figure class="radar">
${renderRadarChart(report.vector, { idPrefix: 'radar', title: 'Trust vector radar chart' })}
<figcaption>Seven dimensions, each from 0 at the centre to 1 at the edge. A and C are penalties, drawn as 1 + value: the outer ring means no penalty (dashed axes).</figcaption>
</figure>
<div>${renderVectorTable(report.vector)}</div>
</div>
</section>`;
}

function explanationItemText(item: ExplanationItem): { text: string; impact: number | null; dimension: string | null } {
  if (typeof item === 'string') return { text: item, impact: null, dimension: null };
  const text = item.text ?? item.message ?? item.detail ?? '';
  const impact = typeof item.impact === 'number' && Number.isFinite(item.impact) ? item.impact : null;
  return { text, impact, dimension: item.dimension ?? null };
}

/**
 * The engine's detail often starts with its own name for the dimension ("recency: current activity …"); after the
 * bold label that would read "Recency: recency: …", so a leading repeat of any of `labels` is dropped.
 */
export function withoutLeadingLabel(text: string, labels: readonly string[]): string {
  const trimmed = text.trim();
  for (const label of labels) {
    // "recency: …" always repeats; "anomaly penalty A=…" does too (a two-word name followed by a space).
    const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`^${escaped}${label.includes(' ') ? '(?:\\s*:\\s*|\\s+)' : '\\s*:\\s*'}`, 'i');
    const rest = trimmed.replace(pattern, '');
    if (rest !== trimmed && rest.length > 0) return rest.charAt(0).toUpperCase() + rest.slice(1);
  }
  return trimmed;
}

function explanationSection(report: ProfileReport): SafeHtml {
  const items = report.explanation.map(explanationItemText).filter((item) => item.text.trim().length > 0);
  if (items.length === 0) return html``;
  const dimensionName = (key: string | null) =>
    key ? (DIMENSIONS.find((d) => d.key === key.toUpperCase())?.name ?? key) : null;
  return html`<section aria-labelledby="why-h">
<h2 id="why-h">What moved the score</h2>
<ul>${items.map((item) => {
    const name = dimensionName(item.dimension);
    const impact =
      item.impact === null
        ? ''
        : html` <span class="muted nowrap">(${item.impact >= 0 ? '+' : '\u2212'}${Math.abs(item.impact).toFixed(1)} points)</span>`;
    const dimension = name ? DIMENSIONS.find((d) => d.name === name) : undefined;
    const text = name ? withoutLeadingLabel(item.text, [name, dimension?.shortName ?? name]) : item.text;
    return html`<li>${name ? html`<strong>${name}:</strong> ` : ''}${text}${impact}</li>`;
  })}</ul>
</section>`;
}

function severityClass(severity: string): 'critical' | 'warning' | 'info' {
  const s = severity.toLowerCase();
  if (s === 'critical' || s === 'high' || s === 'error' || s === 'severe') return 'critical';
  if (s === 'warning' || s === 'warn' || s === 'medium') return 'warning';
  return 'info';
}

function flagsSection(report: ProfileReport): SafeHtml {
  const flags = report.flags;
  const body =
    flags.length === 0
      ? html`<p class="ok">No warnings: the trust engine found no anomalies or restrictions.</p>`
      : html`<ul class="plain flags">${flags.map((flag) => {
          const sev = severityClass(flag.severity);
          const sentence = flagSentence(flag);
          const detail = flag.detail?.trim();
          return html`<li class="flag sev-${sev}"><p><span class="sev">${humanizeEnum(flag.severity || sev)}</span>${sentence}</p>${
            detail && detail !== sentence ? html`<p class="muted">${detail}</p>` : ''
          }<p class="muted"><small>Code: <code>${flag.code}</code></small></p></li>`;
        })}</ul>`;
  return html`<section aria-labelledby="flags-h">
<h2 id="flags-h">Flags</h2>
${body}
</section>`;
}

function activitySection(view: ProfileView): SafeHtml {
  const end = view.now;
  const series = buildActivitySeries(view.activity, end, 90);
  return html`<section aria-labelledby="activity-h">
<h2 id="activity-h">Activity, last 90 days</h2>
<figure class="activity">
${renderActivityChart(view.activity, { end, days: 90, idPrefix: 'activity' })}
<figcaption>${describeActivity(series)}</figcaption>
</figure>
</section>`;
}

const WINDOW_COLUMNS = [
  ['d7', '7 days'],
  ['d30', '30 days'],
  ['d90', '90 days'],
  ['lifetime', 'Lifetime'],
] as const;

const WINDOW_ROWS: ReadonlyArray<readonly [keyof WindowStats, string, (v: number) => string]> = [
  ['tasks', 'Tasks', (v) => count.format(v)],
  ['accepted', 'Accepted', (v) => count.format(v)],
  ['disputed', 'Disputed', (v) => count.format(v)],
  ['refunded', 'Refunded', (v) => count.format(v)],
  ['acceptedRate', 'Acceptance rate', formatPercent],
  ['disputeRate', 'Dispute rate', formatPercent],
  ['volumeUsd', 'Volume', formatUsd],
  ['avgValueUsd', 'Average job value', formatUsd],
  ['uniqueCounterparties', 'Unique counter\u00adparties', (v) => count.format(v)],
  ['escrowVerifiedShare', 'Escrow-verified share', formatPercent],
];

function windowsSection(report: ProfileReport): SafeHtml {
  const c = report.client;
  return html`<section aria-labelledby="windows-h">
<h2 id="windows-h">Track record</h2>
<div class="table-wrap" role="region" aria-labelledby="windows-caption" tabindex="0"><table id="windows-table">
<caption id="windows-caption">Work as an agent, by time window (rates over paid work)</caption>
<thead><tr><th scope="col">Measure</th>${WINDOW_COLUMNS.map(([, label]) => html`<th scope="col" class="num">${label}</th>`)}</tr></thead>
<tbody>${WINDOW_ROWS.map(
    ([key, label, format]) =>
      html`<tr><th scope="row">${label}</th>${WINDOW_COLUMNS.map(
        ([w]) => html`<td class="num">${format(finite(report.windows[w][key]))}</td>`,
      )}</tr>`,
  )}</tbody>
</table></div>
<div class="table-wrap" role="region" aria-labelledby="client-caption" tabindex="0"><table id="client-table">
<caption id="client-caption">As a client (hiring others)</caption>
<tbody>
<tr><th scope="row">Jobs as client</th><td class="num">${count.format(finite(c.jobsAsClient))}</td></tr>
<tr><th scope="row">Disputes filed</th><td class="num">${count.format(finite(c.disputesFiled))}</td></tr>
<tr><th scope="row">Client dispute rate</th><td class="num">${formatPercent(c.disputeRate)}</td></tr>
<tr><th scope="row">Restricted</th><td class="num">${c.restricted ? html`<strong class="revoked">Yes</strong>` : 'No'}</td></tr>
</tbody>
</table></div>
</section>`;
}

const RECEIPT_COLUMNS: ReadonlyArray<readonly [string, string]> = [
  ['Date', ''],
  ['Platform', ''],
  ['Category', ''],
  ['Outcome', ''],
  ['Value', 'num'],
  ['Evidence', ''],
];

/** A long DID shortened for a table cell, with the full DID in a tooltip and for assistive technology. */
function shortDid(did: string): SafeHtml {
  const chars = Array.from(did);
  if (chars.length <= 32) return html`${did}`;
  const short = `${chars.slice(0, 16).join('')}\u2026${chars.slice(-6).join('')}`;
  return html`<span title="${did}" aria-hidden="true">${short}</span><span class="visually-hidden">${did}</span>`;
}

function receiptsSection(view: ProfileView): SafeHtml {
  const receipts = view.recentReceipts;
  const body =
    receipts.length === 0
      ? html`<p class="muted">No receipts yet.</p>`
      : html`<div class="table-wrap" role="region" aria-labelledby="receipts-caption" tabindex="0"><table id="receipts-table" class="stack" role="table">
<caption id="receipts-caption">Most recent receipts signed by platforms</caption>
<thead role="rowgroup"><tr role="row">${RECEIPT_COLUMNS.map(([label, cls]) => html`<th scope="col" role="columnheader"${cls ? raw(` class="${cls}"`) : ''}>${label}</th>`)}</tr></thead>
<tbody role="rowgroup">${receipts.map((r) => {
          const cells: Array<[SafeHtml | string, string]> = [
            [timeTag(r.occurredAt), 'nowrap'],
            [r.platform.startsWith('did:') ? shortDid(r.platform) : r.platform, 'did'],
            [html`<span title="${r.actionCategory}">${CATEGORY_WORDS[r.actionCategory] ?? humanizeEnum(r.actionCategory)}</span>`, ''],
            [humanizeEnum(r.outcome), ''],
            [formatUsdExact(r.valueUsd), 'num'],
            [CONFIDENCE_WORDS[r.confidence.toUpperCase()] ?? humanizeEnum(r.confidence), ''],
          ];
          return html`<tr role="row">${cells.map(
            ([content, cls], i) => html`<td role="cell" data-label="${RECEIPT_COLUMNS[i]?.[0] ?? ''}"${cls ? raw(` class="${cls}"`) : ''}>${content}</td>`,
          )}</tr>`;
        })}</tbody>
</table></div>`;
  return html`<section aria-labelledby="receipts-h">
<h2 id="receipts-h">Recent receipts</h2>
${body}
</section>`;
}

function credentialsSection(view: ProfileView): SafeHtml {
  const creds = view.credentials;
  const body =
    creds.length === 0
      ? html`<p class="muted">No credentials issued yet.</p>`
      : html`<ul class="plain">${creds.map((c) => {
          const kind = CREDENTIAL_WORDS[c.type.toUpperCase()] ?? humanizeEnum(c.type);
          const format = FORMAT_WORDS[c.format.toUpperCase()] ?? c.format;
          return html`<li class="cred"><p><strong>${kind}</strong> <span class="muted">(${format})</span> \u00b7 issued ${timeTag(c.issuedAt)} \u00b7 ${
            c.revoked ? html`<span class="revoked">Revoked</span>` : 'Not revoked'
          }</p><p class="did muted"><small>ID: <code>${c.id}</code></small></p><p class="actions">${
            safeUrl(c.downloadUrl) === '#'
              ? ''
              : html`<a href="${safeUrl(c.downloadUrl)}" download>Download<span class="visually-hidden"> ${kind} ${c.id}</span></a>`
          }${
            c.verifyUrl && safeUrl(c.verifyUrl) !== '#' ? html`<a href="${safeUrl(c.verifyUrl)}">Verify<span class="visually-hidden"> ${kind} ${c.id}</span></a>` : ''
          }</p></li>`;
        })}</ul>`;
  return html`<section aria-labelledby="creds-h">
<h2 id="creds-h">Verifiable credentials</h2>
${body}
<p class="hint">Credentials are W3C Verifiable Credentials signed with Ed25519; anyone can verify them offline with <code>credence verify FILE</code>.</p>
</section>`;
}

/**
 * Snippet text with a line-break opportunity (`<wbr>`, which copies as nothing) after each URL separator, so a long
 * URL wraps at `/`, `:`, `.`, `?`, `&`, `=` or `#` rather than mid-word.
 */
export function breakable(text: string): SafeHtml {
  return html`${text.split(/(?<=[/:.?&=#])/).map((part, i) => (i === 0 ? html`${part}` : html`${raw('<wbr>')}${part}`))}`;
}

function badgeSection(view: ProfileView, altText: string): SafeHtml {
  const b = view.badge;
  return html`<section aria-labelledby="badge-h">
<h2 id="badge-h">Badge</h2>
<p class="badge-preview"><img src="${safeUrl(b.svgPath ?? b.svgUrl)}" alt="${altText}" height="20"></p>
<h3 id="md-h">Markdown</h3>
<pre class="snippet" aria-labelledby="md-h"><code id="badge-markdown">${breakable(b.markdown)}</code></pre>
<h3 id="html-h">HTML</h3>
<pre class="snippet" aria-labelledby="html-h"><code id="badge-html">${breakable(b.html)}</code></pre>
${b.jsonUrl ? html`<p class="hint">For shields.io: the endpoint badge JSON is at <a href="${safeUrl(b.jsonUrl)}" class="did">${b.jsonUrl}</a>.</p>` : ''}
</section>`;
}

// ---- pages ----

/** 200 when there is something to show, 404 for a DID nobody claimed and no platform reported on. */
export function profileStatus(view: Pick<ProfileView, 'agent' | 'report' | 'recentReceipts'>): 200 | 404 {
  if (view.agent) return 200;
  if (view.recentReceipts.length > 0) return 200;
  const report = view.report;
  if (!report) return 404;
  const onlyNoHistory = report.flags.every((f) => f.code === 'NO_HISTORY');
  return finite(report.windows.lifetime.tasks) > 0 || !onlyNoHistory ? 200 : 404;
}

/** The profile page, or the not-found page when `profileStatus(view)` is 404. */
export function renderProfilePage(view: ProfileView): string {
  if (profileStatus(view) === 404) return renderNotFoundPage(view.did, view.graphqlUrl);
  const name = displayNameOf(view);
  const report = view.report;
  const badgeAlt = report
    ? `Credence trust badge: tier ${report.tier}, score ${formatScore(finite(report.score))}`
    : 'Credence trust badge';
  const body = html`<article aria-labelledby="agent-name">
${header(view)}
${
  report
    ? html`${summary(report)}
${vectorSection(report)}
${explanationSection(report)}
${flagsSection(report)}
${activitySection(view)}
${windowsSection(report)}`
    : html`<p class="ok">No trust report is available for this DID yet.</p>${activitySection(view)}`
}
${receiptsSection(view)}
${credentialsSection(view)}
${badgeSection(view, badgeAlt)}
</article>`;
  return renderLayout({
    title: `${name} \u00b7 Credence trust profile`,
    description: report
      ? `${name}: Credence trust tier ${report.tier}, score ${formatScore(finite(report.score))} of 100.`
      : `${name} on Credence.`,
    canonicalUrl: safeUrl(view.publicUrl) === '#' ? undefined : safeUrl(view.publicUrl),
    graphqlUrl: view.graphqlUrl,
    body,
  });
}

/** 404: nothing known about this DID. */
export function renderNotFoundPage(did: string, graphqlUrl?: string): string {
  const body = html`<h1>No profile for this DID</h1>
<p>Credence has no claim and no receipts for</p>
<p class="did"><code id="agent-did">${did}</code></p>
<p>If this is your DID, claim it with the <code>claimDid</code> mutation; its profile fills in as platforms send signed receipts.</p>
${searchForm()}`;
  return renderLayout({ title: 'Profile not found \u00b7 Credence', noindex: true, graphqlUrl, body });
}

/** 400: the path does not hold a DID. */
export function renderInvalidDidPage(input: string, graphqlUrl?: string): string {
  const body = html`<h1>That is not a valid DID</h1>
<p>Credence profiles are addressed by DID, for example <code>did:key:z6Mk\u2026</code>. This was given:</p>
<p class="did"><code>${input}</code></p>
${searchForm(input)}`;
  return renderLayout({ title: 'Invalid DID \u00b7 Credence', noindex: true, graphqlUrl, body });
}

/**
 * The DID search form. A form cannot put its value into the path without script, so it GETs `/agents?did=…` and the
 * route redirects to `/agents/<did>`.
 */
export function searchForm(value = ''): SafeHtml {
  return html`<form class="search" method="get" action="/agents" role="search">
<label for="did-input">Look up a DID</label>
<input id="did-input" name="did" type="text" inputmode="text" autocomplete="off" autocapitalize="none" spellcheck="false" required placeholder="did:key:z6Mk\u2026" value="${value}" aria-describedby="did-hint">
<button type="submit">Show profile</button>
<p id="did-hint" class="hint">An Ed25519 <code>did:key</code> identifier.</p>
</form>`;
}

