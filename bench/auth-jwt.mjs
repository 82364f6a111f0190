// JwtManager (@databus/auth, built dist): the cost of getHeaders() on a warm cache, and single-flight at
// expiry: 10,000 concurrent getToken() calls once the cached token has expired must make ONE token request.
// A local HTTP token endpoint (OAuth2 client_credentials) counts the requests; the manager's clock is
// injected, so "expired" is exact and no test waits for real time.
//
//   node bench/auth-jwt.mjs [--calls 200000] [--concurrent 10000] [--json]
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { median, benchRequire } from './lib/common.mjs';

const require = benchRequire(import.meta.url);
const SELF = fileURLToPath(import.meta.url);

const b64 = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
/** An (unsigned-for-the-bench) JWT whose `exp` is `expSeconds`. */
const jwt = (expSeconds, n) =>
  `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ sub: 'bench', n, exp: expSeconds })}.c2ln`;

/** A token endpoint on loopback; every answer is a fresh JWT valid for 10 minutes of the given clock. */
async function tokenServer(clock) {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    req.on('end', () => {
      const exp = Math.floor(clock() / 1000) + 600;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: jwt(exp, requests), token_type: 'Bearer', expires_in: 600 }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${server.address().port}/token`,
    get requests() {
      return requests;
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

/**
 * @param {{ calls?: number, concurrent?: number, repetitions?: number }} [options]
 */
export async function measureJwt(options = {}) {
  const calls = options.calls ?? 200_000;
  const concurrent = options.concurrent ?? 10_000;
  const repetitions = options.repetitions ?? 3;
  const { JwtManager } = require('@databus/auth');
  let clock = Date.now();
  const now = () => clock;
  const server = await tokenServer(now);
  const manager = JwtManager.create({
    strategy: 'client_credentials',
    tokenUrl: server.url,
    clientId: 'bench',
    clientSecret: 'bench-secret',
    now,
    logger: false,
  });
  try {
    await manager.getToken(); // warm the cache
    // getHeaders() on a warm cache: awaited one after another, like an interceptor does per request.
    const perCall = [];
    const syncPerCall = [];
    for (let r = 0; r < repetitions; r++) {
      let t0 = performance.now();
      for (let i = 0; i < calls; i++) await manager.getHeaders();
      perCall.push(((performance.now() - t0) * 1e6) / calls);
      t0 = performance.now();
      for (let i = 0; i < calls; i++) manager.current();
      syncPerCall.push(((performance.now() - t0) * 1e6) / calls);
    }
    // Expiry: jump the clock past exp, then `concurrent` callers at once.
    const stampede = [];
    for (let r = 0; r < repetitions; r++) {
      clock += 601_000;
      const before = server.requests;
      const t0 = performance.now();
      const tokens = await Promise.all(Array.from({ length: concurrent }, () => manager.getToken()));
      const ms = performance.now() - t0;
      const distinct = new Set(tokens.map((t) => t.authorization)).size;
      stampede.push({ requests: server.requests - before, distinctTokens: distinct, ms });
    }
    return {
      calls,
      concurrent,
      getHeadersNs: median(perCall),
      getHeadersPerSec: 1e9 / median(perCall),
      currentNs: median(syncPerCall),
      stampede,
      requestsAtExpiry: Math.max(...stampede.map((s) => s.requests)),
      stampedeMs: median(stampede.map((s) => s.ms)),
      met: stampede.every((s) => s.requests === 1 && s.distinctTokens === 1),
    };
  } finally {
    await manager.close();
    await server.close();
  }
}

if (process.argv[1] === SELF) {
  const argv = process.argv.slice(2);
  const flag = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  measureJwt({ calls: flag('calls', 200_000), concurrent: flag('concurrent', 10_000) })
    .then((r) => {
      if (argv.includes('--json')) return console.log(JSON.stringify(r, null, 2));
      console.log(
        `getHeaders() warm: ${r.getHeadersNs.toFixed(0)} ns/call (${Math.round(r.getHeadersPerSec)}/s); current(): ${r.currentNs.toFixed(0)} ns`,
      );
      console.log(
        `${r.concurrent} concurrent getToken() at expiry: ${r.stampede.map((s) => s.requests).join(', ')} token request(s) ` +
          `in ${r.stampedeMs.toFixed(1)} ms (target 1: ${r.met ? 'met' : 'MISSED'})`,
      );
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
