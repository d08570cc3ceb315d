// A request's path is parsed once, however many hooks ask for it, and is what URL parsing gives.
import { describe, expect, it } from 'vitest';
import { requestPath } from '../../../src/http/request-path.ts';

/** A request whose `url` counts how often it is read. */
function counted(url: string): { request: Request; reads: () => number } {
  const request = new Request(url);
  let reads = 0;
  Object.defineProperty(request, 'url', {
    get() {
      reads += 1;
      return url;
    },
  });
  return { request, reads: () => reads };
}

describe('requestPath', () => {
  it('answers the URL parser’s pathname: no query or fragment, dot segments resolved, escapes kept', () => {
    expect(requestPath(new Request('http://localhost:4000/graphql?query=%7B%7D#x'))).toBe('/graphql');
    expect(requestPath(new Request('http://localhost/graphql/stream/../../graphql'))).toBe('/graphql');
    expect(requestPath(new Request('http://localhost/badge/did%3Akey%3Az6Mk.svg'))).toBe('/badge/did%3Akey%3Az6Mk.svg');
  });

  it('parses each request once, and each request apart', () => {
    const first = counted('http://localhost/graphql');
    const second = counted('http://localhost/health');
    for (let i = 0; i < 3; i += 1) {
      expect(requestPath(first.request)).toBe('/graphql');
      expect(requestPath(second.request)).toBe('/health');
    }
    expect(first.reads()).toBe(1);
    expect(second.reads()).toBe(1);
  });
});
