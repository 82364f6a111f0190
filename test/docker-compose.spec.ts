// Checks docker-compose.yml (the brokers for users' own machines) without Docker: services, healthchecks,
// ports, mounted configuration and documented variables.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEMO_ENV_KEYS } from '../apps/demo/src/config/demo-env-keys';

const root = join(__dirname, '..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  ports?: string[];
  environment?: Record<string, string | number>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; retries?: number };
}

const compose = parse(composeText) as {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
};
const services = compose.services;

/** Container ports a service publishes on the host at the same number. */
function published(service: Service): number[] {
  return (service.ports ?? []).map((p) => {
    const [host, container] = String(p).split(':');
    expect(host).toBe(container);
    return Number(container);
  });
}

/** True when `npm run kafka -- prepare` writes the folder (scripts/kafka/layout.mjs names what it writes). */
function kafkaPrepareWrites(hostPath: string): boolean {
  const layout = readFileSync(join(root, 'scripts', 'kafka', 'layout.mjs'), 'utf8');
  const folder = hostPath.slice(join(root, '.kafka').length + 1).split('/')[0];
  return folder.length > 0 && layout.includes(`'${folder}'`);
}

/** Host files a service mounts (`./path:/in/container[:ro]`). */
function mounts(service: Service): Array<{ host: string; container: string }> {
  return (service.volumes ?? [])
    .filter((v) => v.startsWith('./'))
    .map((v) => {
      const [host, container] = v.split(':');
      return { host: join(root, host), container };
    });
}

describe('docker-compose.yml', () => {
  it('declares the brokers of the suite and the demo', () => {
    expect(Object.keys(services).sort()).toEqual([
      'centrifugo',
      'demo',
      'kafka',
      'mosquitto',
      'nats',
      'rabbitmq',
    ]);
  });

  it.each(Object.keys(services))('%s has a healthcheck', (name) => {
    const check = services[name].healthcheck;
    expect(check).toBeDefined();
    expect(['CMD', 'CMD-SHELL']).toContain(check!.test[0]);
    expect(check!.test.length).toBeGreaterThan(1);
    expect(check!.interval).toMatch(/^\d+s$/);
    expect(check!.retries).toBeGreaterThan(0);
  });

  it('publishes the standard ports on the host', () => {
    expect(published(services.kafka)).toEqual([9092, 9093, 9094]);
    expect(published(services.rabbitmq)).toEqual(expect.arrayContaining([5672, 5552, 15672]));
    expect(published(services.mosquitto)).toEqual([1883]);
    expect(published(services.nats)).toEqual(expect.arrayContaining([4222]));
    expect(published(services.centrifugo)).toEqual([8000]);
    expect(published(services.demo)).toEqual([3000]);
  });

  it('runs Kafka in KRaft mode, reachable from the host and from the demo container', () => {
    const env = services.kafka.environment!;
    expect(services.kafka.image).toMatch(/^(apache|bitnami)\/kafka:/);
    expect(String(env.KAFKA_PROCESS_ROLES)).toContain('controller');
    expect(String(env.KAFKA_ADVERTISED_LISTENERS)).toContain('localhost:9092');
    expect(String(env.KAFKA_ADVERTISED_LISTENERS)).toContain('kafka:19092');
    expect(String(services.demo.environment!.STREAMING_URL)).toContain('kafka://kafka:19092');
  });

  it('runs the Kafka version and settings that `npm run kafka` (CI) runs', () => {
    const env = services.kafka.environment!;
    const pom = readFileSync(join(root, 'scripts', 'kafka', 'pom.xml'), 'utf8');
    const version = /<kafka\.version>([^<]+)</.exec(pom)?.[1];
    expect(services.kafka.image).toBe(`apache/kafka:${version}`);
    expect(String(env.KAFKA_AUTO_CREATE_TOPICS_ENABLE)).toBe('false');
    expect(String(env.KAFKA_LISTENER_SECURITY_PROTOCOL_MAP)).toContain('SASL_PLAINTEXT:SASL_PLAINTEXT');
    expect(String(env.KAFKA_LISTENER_NAME_SSL_SSL_CLIENT_AUTH)).toBe('required');
    expect(String(env.KAFKA_SASL_OAUTHBEARER_JWT_VALIDATOR_CLASS)).toMatch(/BrokerJwtValidator$/);
  });

  it('runs RabbitMQ with the management UI and the stream plugin', () => {
    expect(services.rabbitmq.image).toMatch(/^rabbitmq:[\d.]+-management/);
    const plugins = mounts(services.rabbitmq).find((m) => m.container === '/etc/rabbitmq/enabled_plugins');
    expect(plugins).toBeDefined();
    expect(readFileSync(plugins!.host, 'utf8')).toMatch(/^\[.*\brabbitmq_stream\b.*\]\.\s*$/s);
  });

  it('mounts a Mosquitto configuration that raises the in-flight and queue limits', () => {
    const config = mounts(services.mosquitto).find((m) => m.container === '/mosquitto/config/mosquitto.conf');
    expect(config?.host).toBe(join(root, 'docker', 'mosquitto.conf'));
    const text = readFileSync(config!.host, 'utf8');
    const setting = (key: string): number => Number(new RegExp(`^${key}\\s+(\\d+)`, 'm').exec(text)?.[1]);
    expect(setting('max_inflight_messages')).toBeGreaterThan(20);
    expect(setting('max_queued_messages')).toBeGreaterThan(1000);
    expect(text).toMatch(/^listener 1883$/m);
    expect(text).toMatch(/^persistence true$/m);
    expect(text).toMatch(/^set_tcp_nodelay true$/m);
  });

  it('runs NATS with JetStream', () => {
    expect(services.nats.command).toContain('-js');
  });

  it('takes the Centrifugo API key from the environment, never from the file', () => {
    expect(services.centrifugo.image).toMatch(/^centrifugo\/centrifugo:v[56]/);
    expect(String(services.centrifugo.environment!.CENTRIFUGO_HTTP_API_KEY)).toMatch(
      /^\$\{CENTRIFUGO_API_KEY[:?}]/,
    );
    expect(String(services.demo.environment!.CENTRIFUGO_API_KEY)).toMatch(/^\$\{CENTRIFUGO_API_KEY[:?}]/);
  });

  it('builds the demo from apps/demo/Dockerfile and starts it once every broker is healthy', () => {
    const demo = services.demo;
    expect(demo.build).toEqual({ context: '.', dockerfile: 'apps/demo/Dockerfile' });
    const dockerfile = readFileSync(join(root, 'apps/demo/Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^CMD \["node", "apps\/demo\/dist\/main\.js"\]$/m);
    expect(Object.keys(demo.environment!)).toEqual(
      expect.arrayContaining(['STREAMING_URL', 'QUEUE_URL', 'CENTRIFUGO_API_URL', 'CENTRIFUGO_API_KEY']),
    );
    expect(demo.environment!.HOST).toBe('0.0.0.0');
    for (const name of Object.keys(demo.environment!))
      expect([...DEMO_ENV_KEYS, 'NODE_ENV'] as string[]).toContain(name);
    const brokers = Object.keys(services).filter((s) => s !== 'demo');
    expect(Object.keys(demo.depends_on ?? {}).sort()).toEqual(brokers.sort());
    for (const broker of brokers) expect(demo.depends_on![broker].condition).toBe('service_healthy');
  });

  it('mounts only files that exist and declares every named volume', () => {
    for (const service of Object.values(services)) {
      for (const mount of mounts(service)) {
        // `.kafka/` is written by `npm run kafka -- prepare` (the compose file's first step), not checked in:
        // those mounts must be files that `prepare` makes, the others files of the repo.
        if (mount.host.startsWith(join(root, '.kafka'))) expect(kafkaPrepareWrites(mount.host)).toBe(true);
        else expect(existsSync(mount.host)).toBe(true);
      }
      for (const volume of (service.volumes ?? []).filter((v) => !v.startsWith('./')))
        expect(Object.keys(compose.volumes ?? {})).toContain(volume.split(':')[0]);
    }
  });

  it('documents in .env.example every variable it reads', () => {
    const example = readFileSync(join(root, '.env.example'), 'utf8');
    const used = new Set([...composeText.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1]));
    expect(used.size).toBeGreaterThan(0);
    for (const name of used) expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });
});

describe('.env.example', () => {
  const example = readFileSync(join(root, '.env.example'), 'utf8');

  it.each([
    'STREAMING_URL',
    'QUEUE_URL',
    'AUTH_TOKEN_URL',
    'AUTH_USERNAME',
    'AUTH_PASSWORD',
    'TLS_CA_FILE',
    'TLS_CERT_FILE',
    'TLS_KEY_FILE',
    'TLS_PFX_FILE',
    'CENTRIFUGO_API_URL',
    'CENTRIFUGO_API_KEY',
    'KAFKA_BROKERS',
    'RABBITMQ_URL',
    'MQTT_URL',
    'NATS_URL',
    'REQUIRE_BROKERS',
  ])('documents %s', (name) => {
    expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });

  it('documents every variable the demo reads', () => {
    for (const name of DEMO_ENV_KEYS) expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
  });

  it('lists each variable once', () => {
    const names = [...example.matchAll(/^#? ?([A-Z0-9_]+)=/gm)].map((m) => m[1]);
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([]);
  });

  it('is not the git-ignored .env itself', () => {
    expect(readFileSync(join(root, '.gitignore'), 'utf8')).toMatch(/^\.env$/m);
  });
});
