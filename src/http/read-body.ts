import type { IncomingMessage } from 'node:http';

/**
 * The one reader of request bodies on the node:http side (the API, the bot endpoint and the
 * emulators). Reads a body into memory, stopping as soon as it passes `maxBytes`: the declared
 * Content-Length is checked before reading and the running total while streaming, so an
 * oversized or lying upload is never buffered whole.
 *
 * Undefined when the body is too large. The rest of it is left unread: answer 413 with
 * `Connection: close` rather than drain it.
 */
export async function readBodyAtMost(
  req: IncomingMessage,
  maxBytes: number,
): Promise<Buffer | undefined> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) return undefined;
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buffer.length;
    if (total > maxBytes) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks, total);
}
