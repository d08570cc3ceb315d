// A request's path, parsed once however many hooks ask for it. The request log, the read routing and the SSE
// plugin each parsed the URL again; that was about 2% of the server's CPU under warm trust reads.

const paths = new WeakMap<Request, string>();

/** `new URL(request.url).pathname`, remembered for as long as the request object lives. */
export function requestPath(request: Request): string {
  let path = paths.get(request);
  if (path === undefined) paths.set(request, (path = new URL(request.url, 'http://localhost').pathname));
  return path;
}
