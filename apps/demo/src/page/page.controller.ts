import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';

/** The page's file: `apps/demo/public/index.html` (next to `src/` and `dist/`). */
export const PAGE_FILE = join(__dirname, '..', '..', 'public', 'index.html');

/** Serves the single page at `/`: live readings, notifications and a button to request stats. */
@Controller()
export class PageController {
  private readonly html = readFileSync(PAGE_FILE, 'utf8');

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return this.html;
  }
}
