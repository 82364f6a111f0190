import { ConfigurationError } from '@databus/common';
import { assertDatasetName, MAX_DATASET_NAME_LENGTH } from './dataset-name';

describe('assertDatasetName', () => {
  it.each([
    'readings',
    'Sensors_01-a.temp.dlq',
    'a.b.c',
    'x'.repeat(MAX_DATASET_NAME_LENGTH),
    `${'x'.repeat(MAX_DATASET_NAME_LENGTH)}.dlq`,
  ])('accepts the portable name %j and returns it', (name) =>
    expect(assertDatasetName(name, 'produce: dataset')).toBe(name),
  );

  it.each([
    ['bad name/*>', 'received "bad name/*>" (character " " at index 3)'],
    ['a/b', '(character "/" at index 1)'],
    ['a*', '(character "*" at index 1)'],
    ['a>', '(character ">" at index 1)'],
    ['a+', '(character "+" at index 1)'],
    ['a#', '(character "#" at index 1)'],
    ['$SYS', '(character "$" at index 0)'],
    ['a:b', '(character ":" at index 1)'],
    ['é', '(character "é" at index 0)'],
    ['a..b', '(an empty part between dots, or a dot at the start or end)'],
    ['.a', '(an empty part between dots'],
    ['a.', '(an empty part between dots'],
    ['', 'received ""'],
    ['x'.repeat(MAX_DATASET_NAME_LENGTH + 1), `received a name of ${MAX_DATASET_NAME_LENGTH + 1} characters`],
    [`${'x'.repeat(MAX_DATASET_NAME_LENGTH + 1)}.dlq`, 'received a name of 205 characters'],
    [`${'x'.repeat(MAX_DATASET_NAME_LENGTH)}.dlx`, 'received a name of 204 characters'],
  ])('refuses %j with a ConfigurationError saying %s', (name, why) => {
    const error = (() => {
      try {
        return assertDatasetName(name, 'produce: dataset');
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error).toMatchObject({ option: 'produce: dataset' });
    expect((error as Error).message).toContain('a portable dataset name');
    expect((error as Error).message).toContain(why);
  });

  it.each([undefined, null, 42, {}])('refuses the non-string %p naming what it received', (value) => {
    expect(() => assertDatasetName(value, 'subscribe: dataset')).toThrow(
      /Invalid option "subscribe: dataset": expected a portable dataset name/,
    );
  });

  it('refuses a bad name every time (only portable names are remembered), also after many good ones', () => {
    for (let i = 0; i < 1500; i++) expect(assertDatasetName(`n${i}`, 'produce: dataset')).toBe(`n${i}`);
    for (let k = 0; k < 2; k++)
      expect(() => assertDatasetName('bad name', 'produce: dataset')).toThrow(
        /Invalid option "produce: dataset": expected a portable dataset name/,
      );
    expect(() => assertDatasetName('n1', 'p', 'pattern')).toThrow(/no wildcard/);
  });

  describe("mode 'pattern'", () => {
    it.each(['sensors.*.temp', 'orders.>', '*', 'a.*.dlq'])('accepts the pattern %j and returns it', (text) =>
      expect(assertDatasetName(text, 'subscribe: pattern', 'pattern')).toBe(text),
    );

    it.each([
      ['sensors.temp', '(no wildcard: give the dataset name itself)'],
      ['a.>.b', '(">" before the last part)'],
      ['a.b*', '(part 2: "b*")'],
      ['a..*', '(part 2: "")'],
      ['a/+/b', '(part 1: "a/+/b")'],
      [
        'x'.repeat(MAX_DATASET_NAME_LENGTH - 1) + '.*',
        `received a string of ${MAX_DATASET_NAME_LENGTH + 1} characters`,
      ],
    ])('refuses %j with a ConfigurationError naming the option and saying %s', (text, why) => {
      let error: unknown;
      try {
        assertDatasetName(text, 'subscribe: pattern', 'pattern');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(error).toMatchObject({ option: 'subscribe: pattern' });
      expect((error as Error).message).toContain('expected a dataset pattern');
      expect((error as Error).message).toContain(why);
    });
  });
});
