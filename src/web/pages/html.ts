// HTML that is escaped by default (pure).
//
// `html`...`` escapes every interpolated value unless it is already `SafeHtml` (the result of another `html`
// template, or of `raw` for text the code itself wrote). Data from users and platforms is therefore always text.
import { escapeMarkup } from '../escape.ts';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Values an `html` template accepts: text is escaped, `SafeHtml` is kept, lists are joined, nullish/false vanish. */
export type HtmlValue = SafeHtml | string | number | bigint | boolean | null | undefined | readonly HtmlValue[];

/** Escape text for HTML content and quoted attribute values (the web layer's one escaper). */
export const escapeHtml: (value: string) => string = escapeMarkup;

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return (value as readonly HtmlValue[]).map(render).join('');
  return escapeHtml(String(value));
}

/** Tagged template: `html\`<p>${name}</p>\`` escapes `name`. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) {
    out += render(values[i]) + (strings[i + 1] ?? '');
  }
  return new SafeHtml(out);
}

/** Mark markup the code itself produced (for example an SVG from a chart renderer) as safe. Never pass user data. */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/** Join fragments with a separator (escaped like any other value). */
export function join(values: readonly HtmlValue[], separator: HtmlValue = ''): SafeHtml {
  const sep = render(separator);
  return new SafeHtml(values.map(render).join(sep));
}

/**
 * A URL safe to put in `href` or `src`: http(s) URLs and same-origin paths pass; anything else (`javascript:`,
 * `data:`, protocol-relative `//host`) becomes `#`. Escaping still happens where it is interpolated.
 */
export function safeUrl(url: string | null | undefined): string {
  if (!url) return '#';
  const trimmed = url.trim();
  if (/^\/(?![/\\])/.test(trimmed)) return trimmed;
  if (/^[?#]/.test(trimmed)) return trimmed;
  try {
    const parsed = new URL(trimmed);
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed.href;
  } catch {
    // not an absolute URL
  }
  return '#';
}
