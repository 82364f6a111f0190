// scripts/jest-results.cjs: what `npm test` counts and lists, checked against a real Jest run of fixture files
// (a pass, a failure, a broker-gated skipped suite, a todo and a suite that crashes at import).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { summarizeJestResult } = require('../scripts/jest-results.cjs') as {
  summarizeJestResult: (
    result: unknown,
    project: string,
    root: string,
  ) => {
    passed: number;
    failed: number;
    skipped: number;
    files: number;
    brokenSuites: string[];
    skippedTitles: string[];
    failedTitles: string[];
  };
};

const jestBin = join(__dirname, '..', 'node_modules', 'jest', 'bin', 'jest.js');

const fixtures: Record<string, string> = {
  'ok.test.js': "test('adds', () => expect(1 + 1).toBe(2));\ntest.todo('subtracts');",
  'fails.test.js': "test('passes', () => {});\ntest('compares', () => expect(1).toBe(2));",
  'kafka.test.js': [
    "describe.skip('kafka transport [skipped: KAFKA_BROKERS is not set]', () => {",
    "  test('produces', () => {});",
    "  test('consumes', () => {});",
    '});',
  ].join('\n'),
  'broken.test.js': "throw new Error('cannot import the transport');",
};

describe('summarizeJestResult', () => {
  let dir: string;
  let summary: ReturnType<typeof summarizeJestResult>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'databus-jest-results-'));
    for (const [name, text] of Object.entries(fixtures)) writeFileSync(join(dir, name), text);
    const config = {
      rootDir: dir,
      testMatch: ['<rootDir>/*.test.js'],
      testEnvironment: 'node',
      transform: {},
    };
    const output = join(dir, 'result.json');
    const run = spawnSync(
      process.execPath,
      [jestBin, '--config', JSON.stringify(config), '--json', '--outputFile', output, '--ci'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(run.status).toBe(1);
    summary = summarizeJestResult(JSON.parse(readFileSync(output, 'utf8')), 'unit', dir);
  }, 60_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts passed tests', () => {
    expect(summary.passed).toBe(2);
    expect(summary.files).toBe(4);
  });

  it('counts a failed test and a suite that crashed before running any as failures', () => {
    expect(summary.failed).toBe(2);
    expect(summary.failedTitles).toEqual(['unit: fails.test.js › compares']);
    expect(summary.brokenSuites).toEqual(['unit: suite broken.test.js failed to run']);
  });

  it('counts skipped and todo tests and lists them by name, with the reason of a broker-gated suite', () => {
    expect(summary.skipped).toBe(3);
    expect(summary.skippedTitles.sort()).toEqual([
      'unit: kafka.test.js › kafka transport [skipped: KAFKA_BROKERS is not set] consumes',
      'unit: kafka.test.js › kafka transport [skipped: KAFKA_BROKERS is not set] produces',
      'unit: ok.test.js › subtracts',
    ]);
  });
});
