import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { readHttpAnswer } from './http-answer';

function response(status: number): IncomingMessage & PassThrough {
  return Object.assign(new PassThrough(), {
    statusCode: status,
    headers: { 'content-type': 'text/plain' },
  }) as never;
}

describe('readHttpAnswer', () => {
  it('resolves with the status, the headers and the whole body as UTF-8', async () => {
    const res = response(201);
    const answer = readHttpAnswer(
      res,
      100,
      () => new Error('too large'),
      (e) => e as Error,
    );
    res.write('hé');
    res.end('llo');
    await expect(answer).resolves.toEqual({
      status: 201,
      headers: { 'content-type': 'text/plain' },
      body: 'héllo',
    });
  });

  it('rejects with the tooLarge error once the body passes maxBytes', async () => {
    const res = response(200);
    const answer = readHttpAnswer(
      res,
      4,
      () => new Error('more than 4 bytes'),
      (e) => e as Error,
    );
    res.write('12345');
    await expect(answer).rejects.toThrow('more than 4 bytes');
    expect(res.destroyed).toBe(true);
  });

  it('rejects with what failed() makes of a response error', async () => {
    const res = response(200);
    const answer = readHttpAnswer(
      res,
      100,
      () => new Error('too large'),
      () => new Error('mapped'),
    );
    res.destroy(new Error('socket hang up'));
    await expect(answer).rejects.toThrow('mapped');
  });
});
