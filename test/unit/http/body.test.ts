// The shared body reader: byte cap with and without Content-Length, nesting measured on the raw text (strings and
// escapes skipped), NUL refusal, malformed Content-Length.
import { describe, expect, it } from 'vitest';
import { declaredTooLarge, jsonDepth, JsonBodyError, MalformedContentLength, parseJsonBody, readBodyWithin } from '../../../src/http/body.ts';

const tooLarge = () => new Error('too large');

function streamOf(pieces: string[]): ReadableStream<Uint8Array> {
  let index = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (index >= pieces.length) controller.close();
      else controller.enqueue(new TextEncoder().encode(pieces[index++]!));
    },
    cancel() {
      cancelled = true;
    },
  });
  return Object.assign(stream, { get wasCancelled() { return cancelled; }, get pulled() { return index; } });
}

describe('readBodyWithin', () => {
  it('stops reading, and cancels the stream, at the first chunk past the cap', async () => {
    const body = streamOf(['a'.repeat(60), 'b'.repeat(60), 'c'.repeat(60), 'd'.repeat(60)]);
    const request = new Request('http://x/', { method: 'POST', body, duplex: 'half' } as RequestInit);
    await expect(readBodyWithin(request, 100, tooLarge)).rejects.toThrow('too large');
    expect((body as any).pulled).toBeLessThanOrEqual(3);
  });

  it('reads bodies up to the cap exactly', async () => {
    const request = new Request('http://x/', { method: 'POST', body: streamOf(['é'.repeat(25), 'x'.repeat(50)]), duplex: 'half' } as RequestInit);
    expect(await readBodyWithin(request, 100, tooLarge)).toBe(`${'é'.repeat(25)}${'x'.repeat(50)}`);
  });

  it('reads a body whole when its declared length is within the cap, and streams an encoded one', async () => {
    const declared = new Request('http://x/', { method: 'POST', headers: { 'content-length': '75' }, body: `${'é'.repeat(25)}${'x'.repeat(25)}` });
    // Read whole: the stream reader is never asked for.
    Object.defineProperty(declared, 'body', { get: () => { throw new Error('streamed'); } });
    expect(await readBodyWithin(declared, 100, tooLarge)).toBe(`${'é'.repeat(25)}${'x'.repeat(25)}`);

    // A length an in-process caller declares but its body exceeds is still held to the cap.
    const lying = new Request('http://x/', { method: 'POST', headers: { 'content-length': '10' }, body: 'y'.repeat(101) });
    await expect(readBodyWithin(lying, 100, tooLarge)).rejects.toThrow('too large');

    // The declared length of an encoded body does not bound what it decodes to: streamed, counted chunk by chunk.
    const body = streamOf(['a'.repeat(60), 'b'.repeat(60), 'c'.repeat(60)]);
    const encoded = new Request('http://x/', { method: 'POST', headers: { 'content-length': '50', 'content-encoding': 'gzip' }, body, duplex: 'half' } as RequestInit);
    Object.defineProperty(encoded, 'text', { value: () => Promise.reject(new Error('read whole')) });
    await expect(readBodyWithin(encoded, 100, tooLarge)).rejects.toThrow('too large');
    expect((body as any).pulled).toBeLessThanOrEqual(2);
  });

  it('refuses by declared length before reading, and a malformed Content-Length outright', () => {
    expect(declaredTooLarge(new Request('http://x/', { method: 'POST', headers: { 'content-length': '101' }, body: 'x' }), 100)).toBe(true);
    expect(declaredTooLarge(new Request('http://x/', { method: 'POST', headers: { 'content-length': '100' }, body: 'x' }), 100)).toBe(false);
    for (const value of ['12, 12', '-1', '1e3', 'abc']) {
      expect(() => declaredTooLarge(new Request('http://x/', { method: 'POST', headers: { 'content-length': value }, body: 'x' }), 100)).toThrow(MalformedContentLength);
    }
  });
});

describe('JSON bodies', () => {
  it('measures nesting outside strings only', () => {
    expect(jsonDepth('{"a":[1,{"b":2}]}')).toBe(3);
    expect(jsonDepth('{"a":"[[[[{{{{"}')).toBe(1);
    expect(jsonDepth('{"a":"\\"[[[["}')).toBe(1);
    expect(jsonDepth('"just a string"')).toBe(0);
    expect(jsonDepth('['.repeat(10_000), 64)).toBe(65);
  });

  it('refuses deep, empty, malformed and NUL-carrying bodies with the reason', () => {
    const problem = (text: string, options = {}) => {
      try {
        parseJsonBody(text, options);
        return null;
      } catch (error) {
        return error instanceof JsonBodyError ? error.problem : 'other';
      }
    };
    expect(problem(`${'['.repeat(65)}${']'.repeat(65)}`)).toBe('depth');
    expect(problem(`${'['.repeat(64)}${']'.repeat(64)}`)).toBeNull();
    expect(problem(' ')).toBe('empty');
    expect(problem('{"a":')).toBe('syntax');
    expect(problem('{"a":"x\\u0000"}')).toBe('nul');
    expect(problem('{"x\\u0000":1}')).toBe('nul');
    expect(problem('{"a":"x\\u0000"}', { refuseNul: false })).toBeNull();
    expect(parseJsonBody('{"a":[1,"é"]}')).toEqual({ a: [1, 'é'] });
  });
});
