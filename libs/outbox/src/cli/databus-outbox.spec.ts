import { main } from './databus-outbox';

describe('databus-outbox command', () => {
  it('prints the usage and fails for an unknown command', async () => {
    const lines: string[] = [];
    expect(await main(['drop'], {}, (l) => lines.push(l))).toBe(2);
    expect(lines.join('\n')).toContain('usage: databus-outbox migrate');
  });

  it('fails without --url or DATABASE_URL, saying which is missing', async () => {
    const lines: string[] = [];
    expect(await main(['migrate'], {}, (l) => lines.push(l))).toBe(2);
    expect(lines[0]).toContain('no --url and no DATABASE_URL');
  });
});
