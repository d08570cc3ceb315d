import { describe, expect, it } from 'vitest';
import { SafeHtml, escapeHtml, html, join, raw, safeUrl } from '../../../src/web/pages/html.ts';

describe('escapeHtml and html``', () => {
  it('escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('escapes interpolated text and keeps nested templates', () => {
    const name = '<script>alert(1)</script>';
    const inner = html`<b>${name}</b>`;
    const outer = html`<p title="${name}">${inner}</p>`;
    expect(outer).toBeInstanceOf(SafeHtml);
    expect(outer.value).toBe(
      '<p title="&lt;script&gt;alert(1)&lt;/script&gt;"><b>&lt;script&gt;alert(1)&lt;/script&gt;</b></p>',
    );
  });

  it('joins lists, drops null, undefined and false, prints numbers', () => {
    expect(html`${['<a>', html`<i>x</i>`, null, undefined, false, 0, 1.5]}`.value).toBe('&lt;a&gt;<i>x</i>01.5');
    expect(join(['a', '<b>'], html`<br>`).value).toBe('a<br>&lt;b&gt;');
    expect(raw('<svg/>').value).toBe('<svg/>');
    expect(String(html`<i>${'&'}</i>`)).toBe('<i>&amp;</i>');
  });
});

describe('safeUrl', () => {
  it('allows http(s) and same-origin paths only', () => {
    expect(safeUrl('https://example.com/a?b=1')).toBe('https://example.com/a?b=1');
    expect(safeUrl('/credentials/abc.jwt')).toBe('/credentials/abc.jwt');
    expect(safeUrl('?did=x')).toBe('?did=x');
    expect(safeUrl('javascript:alert(1)')).toBe('#');
    expect(safeUrl(' JavaScript:alert(1)')).toBe('#');
    expect(safeUrl('data:text/html,<script>')).toBe('#');
    expect(safeUrl('//evil.example/x')).toBe('#');
    expect(safeUrl('/\\evil.example')).toBe('#');
    expect(safeUrl('')).toBe('#');
    expect(safeUrl(null)).toBe('#');
  });
});
