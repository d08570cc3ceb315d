// The one escaper for everything the web layer writes: HTML text and quoted attributes, and SVG/XML text and
// attributes (pure). The five entities below mean the same in HTML and in XML, so one function serves both.
const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML or XML content and for quoted attribute values. */
export function escapeMarkup(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}
