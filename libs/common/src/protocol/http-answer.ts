import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** A read HTTP response: status, headers and the body as UTF-8. */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * Reads a response to its end, at most `maxBytes` of body: a longer one is destroyed and the promise rejects
 * with `tooLarge()`; an error of the response rejects with `failed(error)`. The one bounded body reader of the
 * libs' HTTP clients (the token requests of `@databus/auth`, the REST streaming transport).
 */
export function readHttpAnswer(
  res: IncomingMessage,
  maxBytes: number,
  tooLarge: () => Error,
  failed: (error: unknown) => Error,
): Promise<HttpAnswer> {
  return new Promise<HttpAnswer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        res.destroy();
        reject(tooLarge());
      } else chunks.push(chunk);
    });
    res.on('end', () =>
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }),
    );
    res.on('error', (error) => reject(failed(error)));
  });
}
