import { ConfigurationError } from '@databus/common';
import { expandStreamingServiceOptions } from './streaming-service-options';

describe('REST streaming service logins as strategies', () => {
  it('is a Basic GET of {base}/identity/v1/login reading AuthorizationToken', () => {
    expect(
      expandStreamingServiceOptions(
        {
          strategy: 'streaming_login',
          baseUrl: 'https://streaming.example/',
          username: 'me',
          password: 'secret',
        },
        'JwtAuthModule',
      ),
    ).toEqual({
      strategy: 'password',
      tokenUrl: 'https://streaming.example/identity/v1/login',
      method: 'GET',
      credentials: 'basic',
      tokenField: 'AuthorizationToken',
      username: 'me',
      password: 'secret',
    });
  });

  it('is a Basic POST of {base}/iam/v1.4/token with scope, audience and grant type, reading access_token', () => {
    expect(
      expandStreamingServiceOptions(
        {
          strategy: 'streaming_client_credentials',
          baseUrl: 'https://streaming.example/base',
          clientId: 'id',
          clientSecret: 'secret',
          scope: 'dxl.streaming',
          audience: 'mcafee',
          grantType: 'client_credentials',
        },
        'JwtAuthModule',
      ),
    ).toEqual({
      strategy: 'client_credentials',
      tokenUrl: 'https://streaming.example/base/iam/v1.4/token',
      clientAuth: 'client_secret_basic',
      tokenField: 'access_token',
      clientId: 'id',
      clientSecret: 'secret',
      scope: 'dxl.streaming',
      audience: 'mcafee',
      grantType: 'client_credentials',
    });
  });

  it('names a bad base URL', () => {
    const bad = () =>
      expandStreamingServiceOptions(
        { strategy: 'streaming_login', baseUrl: 'ftp://x', username: 'u', password: 'p' },
        'JwtAuthModule[stream]',
      );
    expect(bad).toThrow(ConfigurationError);
    expect(bad).toThrow(
      'Invalid option "JwtAuthModule[stream].baseUrl": expected an http:// or https:// URL, received a ftp: URL.',
    );
  });
});
