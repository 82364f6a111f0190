import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Redirect } from '@nestjs/common';

/** The page's file: `apps/demo/public/index.html` (next to `src/` and `dist/`). */
export const PAGE_FILE = join(__dirname, '..', '..', 'public', 'index.html');

/** The page's icon: a small SVG (a gauge), linked from the page and served for `/favicon.ico` as well. */
export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
  '<circle cx="16" cy="16" r="14" fill="#2f6fde"/>' +
  '<path d="M16 16 L24 9" stroke="#fff" stroke-width="3" stroke-linecap="round"/>' +
  '<circle cx="16" cy="16" r="3" fill="#fff"/></svg>';

/** Serves the single page at `/` (live readings, notifications and a button to request stats) and its icon. */
@Controller()
export class PageController {
  private readonly html = readFileSync(PAGE_FILE, 'utf8');

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return this.html;
  }

  @Get('favicon.svg')
  @Header('Content-Type', 'image/svg+xml')
  @Header('Cache-Control', 'public, max-age=86400')
  favicon(): string {
    return FAVICON_SVG;
  }

  /** Browsers ask for `/favicon.ico` on their own: point them at the SVG instead of a 404. */
  @Get('favicon.ico')
  @Redirect('/favicon.svg', 301)
  faviconIco(): void {}
}
