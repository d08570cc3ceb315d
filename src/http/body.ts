// Reading a request body with a byte cap, whether or not Content-Length was declared: the stream is cancelled as
// soon as it passes the cap, so an oversized body is never buffered whole.

/** The body as UTF-8, or `tooLarge()` thrown once it passes `limit` bytes (declared or streamed). */
export async function readBodyWithin(request: Request, limit: number, tooLarge: () => Error): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) throw tooLarge();
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
