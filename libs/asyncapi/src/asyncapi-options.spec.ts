import { ConfigurationError } from '@databus/common';
import { AsyncApiModuleOptions, resolveAsyncApiOptions } from './asyncapi-options';

const info = { title: 'Sensor hub', version: '1.0.0' };

describe('resolveAsyncApiOptions', () => {
  it('serves /asyncapi.json by default and takes false for no route', () => {
    expect(resolveAsyncApiOptions({ info }).path).toBe('/asyncapi.json');
    expect(resolveAsyncApiOptions({ info, path: false }).path).toBe(false);
  });

  it.each<[string, unknown, string]>([
    ['a typo in a key', { info, paht: '/x' }, 'Invalid option "AsyncApiModule.paht"'],
    ['a missing title', { info: { version: '1' } }, 'Invalid option "AsyncApiModule.info.title"'],
    ['a route without its slash', { info, path: 'asyncapi.json' }, 'Invalid option "AsyncApiModule.path"'],
    [
      'a producer naming two kinds',
      { info, producers: [{ dataset: 'a', task: 'b' }] },
      'AsyncApiModule.producers[0]": expected exactly one of dataset, task or event, received dataset and task',
    ],
    [
      'a producer payload that is not a class',
      { info, producers: [{ task: 'a', payload: {} }] },
      'Invalid option "AsyncApiModule.producers[0].payload"',
    ],
  ])('refuses %s with a ConfigurationError naming the option', (_, options, message) => {
    const attempt = () => resolveAsyncApiOptions(options as AsyncApiModuleOptions);
    expect(attempt).toThrow(ConfigurationError);
    expect(attempt).toThrow(message);
  });

  it('gives producers the default connection', () => {
    expect(resolveAsyncApiOptions({ info, producers: [{ event: 'notifications' }] }).producers).toEqual([
      {
        kind: 'event',
        address: 'notifications',
        connection: 'default',
        payload: undefined,
        summary: undefined,
      },
    ]);
  });
});
