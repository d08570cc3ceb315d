// The page shell shared by Credence's HTML pages (pure).
//
// Pages carry no script at all. The one inline stylesheet is allowed by its SHA-256 hash, so the Content-Security-Policy
// can say `default-src 'none'` and still style the page; no `style=""` attributes are used anywhere (a hash does not
// cover them), and charts take their colours from SVG presentation attributes.
import { createHash } from 'node:crypto';
import { TIER_STYLES } from '../badges/trust-badge.ts';
import { html, raw, type SafeHtml } from './html.ts';

/** Colours the pages use. Every text/background pair in `CONTRAST_PAIRS` meets WCAG AA (4.5:1). */
export const PALETTE = Object.freeze({
  text: '#1f2328',
  muted: '#57606a',
  background: '#ffffff',
  surface: '#f6f8fa',
  border: '#d0d7de',
  link: '#0b5cad',
  accent: '#0b5cad',
  critical: '#b42318',
  warning: '#9a4a06',
  info: '#0b5cad',
  success: '#1a7f37',
  onColor: '#ffffff',
});

/** [foreground, background, where] for every text colour used on every background it appears on. */
export const CONTRAST_PAIRS: ReadonlyArray<readonly [string, string, string]> = [
  [PALETTE.text, PALETTE.background, 'body text'],
  [PALETTE.text, PALETTE.surface, 'text on panels'],
  [PALETTE.muted, PALETTE.background, 'secondary text'],
  [PALETTE.muted, PALETTE.surface, 'secondary text on panels'],
  [PALETTE.link, PALETTE.background, 'links'],
  [PALETTE.link, PALETTE.surface, 'links on panels'],
  [PALETTE.critical, PALETTE.surface, 'critical flag label'],
  [PALETTE.warning, PALETTE.surface, 'warning flag label'],
  [PALETTE.info, PALETTE.surface, 'info flag label'],
  [PALETTE.onColor, PALETTE.accent, 'button text'],
  ...Object.entries(TIER_STYLES).map(([tier, style]) => [style.text, style.background, `tier ${tier}`] as const),
];

const P = PALETTE;

/** The one stylesheet, inlined in every page and allowed by hash. */
export const PAGE_STYLE = [
  `:root{color-scheme:light}`,
  `*,*::before,*::after{box-sizing:border-box}`,
  `html{-webkit-text-size-adjust:100%;text-size-adjust:100%}`,
  `body{margin:0;font:16px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:${P.text};background:${P.background}}`,
  `a{color:${P.link};text-underline-offset:.15em}`,
  `a:focus-visible,input:focus-visible,button:focus-visible,[tabindex]:focus-visible{outline:3px solid ${P.accent};outline-offset:2px}`,
  `.skip{position:absolute;left:-9999px;top:0}`,
  `.skip:focus{left:1rem;top:.5rem;background:${P.background};padding:.5rem .75rem;z-index:1}`,
  `.wrap{max-width:66rem;margin:0 auto;padding:0 1rem}`,
  `.site{border-bottom:1px solid ${P.border};background:${P.surface}}`,
  `.site .wrap{display:flex;gap:.5rem 1.25rem;align-items:center;justify-content:space-between;flex-wrap:wrap;min-height:3.25rem}`,
  `.brand{font-weight:700;font-size:1.125rem;color:${P.text};text-decoration:none}`,
  `.site nav a{margin-left:1rem}`,
  `main{padding:1.5rem 0 3rem}`,
  `h1{font-size:1.875rem;line-height:1.2;margin:0 0 .25rem;overflow-wrap:anywhere}`,
  `h2{font-size:1.25rem;line-height:1.3;margin:2.25rem 0 .75rem;padding-bottom:.3rem;border-bottom:1px solid ${P.border}}`,
  `h3{font-size:1rem;margin:1.25rem 0 .5rem}`,
  `p{margin:.5rem 0}`,
  `code,pre,kbd{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.875rem}`,
  `.did{overflow-wrap:anywhere;word-break:break-all}`,
  `pre{background:${P.surface};border:1px solid ${P.border};border-radius:6px;padding:.75rem;margin:.5rem 0 1rem;white-space:pre-wrap;word-break:break-all}`,
  `.muted{color:${P.muted}}`,
  `.kind{display:inline-block;font-size:.8125rem;font-weight:600;letter-spacing:.03em;border:1px solid ${P.border};border-radius:999px;padding:0 .6rem;color:${P.muted};vertical-align:middle}`,
  `.summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));gap:.75rem;margin:1.25rem 0}`,
  `.stat{border:1px solid ${P.border};border-radius:8px;padding:.75rem 1rem;margin:0}`,
  `.stat dt{font-size:.875rem;color:${P.muted}}`,
  `.stat dd{margin:0;font-size:1.75rem;font-weight:700;line-height:1.25;font-variant-numeric:tabular-nums}`,
  `.stat dd small{font-size:.9375rem;font-weight:400;color:${P.muted}}`,
  `.tier{display:inline-block;min-width:2.2em;text-align:center;border-radius:6px;padding:0 .4em}`,
  // The badge's tier colours, so the page and the badge agree.
  Object.entries(TIER_STYLES).map(([tier, style]) => `.tier-${tier}{background:${style.background};color:${style.text}}`).join(''),
  `.cols{display:grid;gap:1.5rem;grid-template-columns:minmax(0,1fr)}`,
  `@media (min-width:50rem){.cols{grid-template-columns:minmax(0,23rem) minmax(0,1fr)}}`,
  `figure{margin:0}`,
  `figcaption{font-size:.9375rem;color:${P.muted};margin-top:.25rem}`,
  `svg.chart{display:block;width:100%;height:auto;max-width:100%}`,
  `.radar{max-width:26rem;margin:0 auto}`,
  `.activity{max-width:30rem}`,
  `.table-wrap{overflow-x:auto;border:1px solid ${P.border};border-radius:6px;margin:.5rem 0 1rem}`,
  `table{border-collapse:collapse;width:100%;font-size:.9375rem}`,
  `caption{text-align:left;font-weight:600;padding:.5rem .75rem;background:${P.surface}}`,
  `th,td{padding:.45rem .75rem;border-top:1px solid ${P.border};text-align:left;vertical-align:top}`,
  `thead th{background:${P.surface};font-weight:600;white-space:nowrap}`,
  `tbody th{font-weight:600}`,
  `.meaning{display:block;font-weight:400;font-size:.875rem;color:${P.muted}}`,
  `.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}`,
  `.nowrap{white-space:nowrap}`,
  `ul.plain{list-style:none;padding:0;margin:.5rem 0}`,
  `.flag{border-left:4px solid ${P.info};background:${P.surface};padding:.5rem .75rem;margin:.5rem 0;border-radius:0 6px 6px 0}`,
  `.flag.sev-critical{border-left-color:${P.critical}}.flag.sev-warning{border-left-color:${P.warning}}`,
  `.sev{font-weight:700;font-size:.8125rem;text-transform:uppercase;letter-spacing:.04em;color:${P.info};margin-right:.4rem}`,
  `.sev-critical .sev{color:${P.critical}}.sev-warning .sev{color:${P.warning}}`,
  `.flag p{margin:.15rem 0}`,
  `.ok{border-left:4px solid ${P.success};background:${P.surface};padding:.5rem .75rem;border-radius:0 6px 6px 0}`,
  `.cred{border:1px solid ${P.border};border-radius:8px;padding:.75rem 1rem;margin:.5rem 0}`,
  `.cred p{margin:.2rem 0}`,
  `.actions a{display:inline-block;margin-right:1rem;padding:.25rem 0}`,
  `.revoked{color:${P.critical};font-weight:700}`,
  `form.search{display:flex;flex-wrap:wrap;gap:.5rem;margin:1rem 0}`,
  `form.search label{flex:1 1 100%;font-weight:600}`,
  `form.search input{flex:1 1 18rem;min-width:0;font:inherit;padding:.55rem .75rem;border:1px solid #6e7781;border-radius:6px;color:${P.text};background:${P.background}}`,
  `button{font:inherit;font-weight:600;padding:.55rem 1.1rem;border-radius:6px;border:1px solid ${P.accent};background:${P.accent};color:${P.onColor};cursor:pointer}`,
  `form.search input::placeholder{color:${P.muted};opacity:1}`,
  `form.search .hint{flex:1 1 100%;margin:0}`,
  `.hint{font-size:.875rem;color:${P.muted}}`,
  `.error{color:${P.critical};font-weight:600}`,
  // Snippets wrap at the <wbr> after URL separators; only a run longer than the line breaks inside.
  `pre.snippet{word-break:normal;overflow-wrap:anywhere}`,
  `.badge-preview img{display:block;margin:.5rem 0;height:20px;width:auto}`,
  `.site-footer{border-top:1px solid ${P.border};padding:1rem 0 2rem;color:${P.muted};font-size:.875rem}`,
  `.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}`,
  `@media (max-width:30rem){h1{font-size:1.5rem}.stat dd{font-size:1.5rem}table{font-size:.8125rem}th,td{padding:.4rem .35rem}thead th,thead th.num{white-space:normal}caption{padding:.5rem .35rem}}`,
  // Narrow screens: the receipts table becomes one card per receipt (roles in the markup keep its table semantics).
  `@media (max-width:40rem){table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}table.stack,table.stack caption,table.stack tbody,table.stack tr,table.stack td{display:block}table.stack tr{border-top:1px solid ${P.border};padding:.35rem 0}table.stack td{border:0;display:grid;grid-template-columns:6.5rem minmax(0,1fr);gap:.5rem;padding:.15rem .75rem;text-align:left;white-space:normal}table.stack td::before{content:attr(data-label);font-weight:600;color:${P.muted}}}`,
  `@media print{.site,.skip,form.search{display:none}}`,
].join('\n');

/** `sha256-…` source expression for `PAGE_STYLE`. */
export const PAGE_STYLE_HASH = `sha256-${createHash('sha256').update(PAGE_STYLE, 'utf8').digest('base64')}`;

/**
 * The Content-Security-Policy every HTML page is served with. No script is allowed from anywhere; the only style is
 * the inline sheet above, by hash; images only from Credence itself (the badge preview) or `data:`; forms only post
 * back to Credence; the page cannot be framed.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "img-src 'self' data:",
  `style-src '${PAGE_STYLE_HASH}'`,
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Headers for an HTML page response. */
export const HTML_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
});

export interface LayoutOptions {
  /** Document title (plain text; escaped). */
  title: string;
  /** `<meta name="description">`. */
  description?: string;
  /** Absolute URL of this page, for `<link rel="canonical">`. */
  canonicalUrl?: string;
  /** Where the GraphQL endpoint (with GraphiQL) lives; defaults to `/graphql`. */
  graphqlUrl?: string;
  /** Ask search engines not to index (error pages). */
  noindex?: boolean;
  body: SafeHtml;
}

/** A whole HTML document around `body`. */
export function renderLayout(options: LayoutOptions): string {
  const graphqlUrl = options.graphqlUrl ?? '/graphql';
  const page = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${options.title}</title>
${options.description ? html`<meta name="description" content="${options.description}">` : ''}
${options.canonicalUrl ? html`<link rel="canonical" href="${options.canonicalUrl}">` : ''}
${options.noindex ? html`<meta name="robots" content="noindex">` : ''}
<meta name="color-scheme" content="light">
<link rel="icon" href="data:,">
<style>${raw(PAGE_STYLE)}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="site"><div class="wrap"><a class="brand" href="/">Credence</a><nav aria-label="Site"><a href="/">Search</a><a href="${graphqlUrl}">GraphQL API</a></nav></div></header>
<main id="main"><div class="wrap">
${options.body}
</div></main>
<footer class="site-footer"><div class="wrap"><p>Credence: verifiable identity and reputation for agent marketplaces. Scores come from receipts signed by platforms; see the <a href="${graphqlUrl}">GraphQL API</a>.</p></div></footer>
</body>
</html>
`;
  return page.value;
}
