import { readFileSync } from 'node:fs';
import { freePorts, portsBelowEphemeral } from './free-ports';

describe('portsBelowEphemeral', () => {
  it('ends just below the low end of the kernel ephemeral range', () => {
    expect(portsBelowEphemeral('32768\t60999\n')).toEqual({ from: 26_000, to: 32_767 });
    expect(portsBelowEphemeral('40000 65000')).toEqual({ from: 26_000, to: 39_999 });
  });

  it('gives up (the kernel picks) when the range leaves no room below it or cannot be read', () => {
    expect(portsBelowEphemeral('10000 65000')).toBeUndefined();
    expect(portsBelowEphemeral('garbage')).toBeUndefined();
  });

  it('assumes the default range when the file is missing', () => {
    expect(portsBelowEphemeral(undefined)).toEqual({ from: 26_000, to: 32_767 });
  });
});

describe('freePorts', () => {
  it('hands out distinct ports outside the ephemeral range', async () => {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    const ports = await freePorts(6);
    expect(new Set(ports).size).toBe(6);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(26_000);
      expect(port).toBeLessThan(low);
    }
  });
});
