/** @jest-environment ./apps/demo/test/support/jose-environment.js */
jest.mock('jose', () => (globalThis as { __databusJose?: unknown }).__databusJose);

import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, chromium } from 'playwright-core';
import { bootDemo, DemoUnderTest } from './support/demo-harness';
import { CHROMIUM_ARGS, CHROMIUM_PATH, ensureChromium } from './support/chromium';

/** `UPDATE_DEMO_SCREENSHOT=1` writes the README's screenshot (docs/demo.png); otherwise it goes to a temp dir. */
const README_SCREENSHOT = join(__dirname, '..', '..', '..', 'docs', 'demo.png');

describe('the page at / in headless Chromium', () => {
  let demo: DemoUnderTest;
  let browser: Browser;
  let shots: string;

  beforeAll(async () => {
    ensureChromium();
    shots = mkdtempSync(join(tmpdir(), 'databus-demo-shots-'));
    demo = await bootDemo({
      SIMULATOR: 'on',
      SIMULATOR_INTERVAL_MS: '150',
      SIMULATOR_SENSORS: 'greenhouse-1,greenhouse-2,cold-room',
      SIMULATOR_STATS_MS: '0',
      SIMULATOR_REPORT_MS: '0',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  }, 10 * 60_000);

  afterAll(async () => {
    await browser?.close();
    await demo?.stop();
    if (shots) rmSync(shots, { recursive: true, force: true });
  });

  it('shows live readings, and the stats after a click on "Request stats"', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 820 } });
    const failed: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
    });
    try {
      await page.goto(demo.url);
      // Live readings arrive over server-sent events and fill the sensor table.
      await page.waitForFunction("document.querySelectorAll('#readings li').length >= 6", undefined, {
        timeout: 15_000,
      });
      await page.waitForFunction("document.querySelectorAll('#sensor option').length === 3", undefined, {
        timeout: 15_000,
      });
      await page.selectOption('#sensor', 'greenhouse-1');

      await page.click('#request-stats');
      await page.waitForSelector('#stats:not([hidden])', { timeout: 15_000 });
      const stats = await page.$$eval('#stats [data-field]', (cells) =>
        Object.fromEntries(
          cells.map((c) => [
            (c as unknown as { dataset: Record<string, string> }).dataset.field,
            c.textContent,
          ]),
        ),
      );
      expect(stats.sensor).toBe('greenhouse-1');
      expect(Number(stats.count)).toBeGreaterThan(0);
      for (const field of ['mean', 'min', 'max', 'stddev'])
        expect(Number.isFinite(Number(stats[field]))).toBe(true);
      expect(Number(stats.min)).toBeLessThanOrEqual(Number(stats.max));
      await page.waitForFunction(
        "document.querySelector('#notifications li')?.textContent?.includes('greenhouse-1') ?? false",
        undefined,
        { timeout: 15_000 },
      );

      const target = process.env.UPDATE_DEMO_SCREENSHOT === '1' ? README_SCREENSHOT : join(shots, 'demo.png');
      mkdirSync(join(target, '..'), { recursive: true });
      await page.screenshot({ path: target, fullPage: true });
      expect(statSync(target).size).toBeGreaterThan(10_000);
      // Nothing the page loads (its icon included) answers an error.
      expect(failed).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
