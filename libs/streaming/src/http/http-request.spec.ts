import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import { TemporaryError } from '@databus/common';
import { sendHttpRequest } from './http-request';

describe('sendHttpRequest', () => {
  let server: http.Server;
  let url: string;
  const agent = new http.Agent();

  beforeAll(async () => {
    // a service that never answers
    server = http.createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/produce?token=secret`;
  });
  afterAll(async () => {
    agent.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('says a call its signal aborted was cut short, with the reason, instead of "could not be reached"', async () => {
    const controller = new AbortController();
    const pending = sendHttpRequest(agent, {
      peer: 'the streaming service',
      method: 'POST',
      url,
      headers: {},
      body: '{}',
      timeoutMs: 10_000,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new TemporaryError('no answer within 50 ms')), 50);
    const error = await pending;
    expect(error).toBeInstanceOf(TemporaryError);
    expect((error as Error).message).toBe(
      `POST ${url.replace('?token=secret', '')}: no answer from the streaming service before the call was cut short (no answer within 50 ms).`,
    );
  });
});
