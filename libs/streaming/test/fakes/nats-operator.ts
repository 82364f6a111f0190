import { randomUUID } from 'node:crypto';
import { nkeys } from '@nats-io/nats-core';

type KeyPair = ReturnType<typeof nkeys.createOperator>;

const UNLIMITED = {
  subs: -1,
  data: -1,
  payload: -1,
  imports: -1,
  exports: -1,
  wildcards: true,
  conn: -1,
  leaf: -1,
};

/**
 * A NATS operator for tests of decentralised (JWT) authentication: an operator, a system account and one
 * application account, as a nats-server configuration with a memory resolver, and bearer user JWTs of the
 * application account (what the dataset client's MAS hands out: presented without a signature).
 */
export class NatsOperator {
  private readonly operator = nkeys.createOperator();
  private readonly system = nkeys.createAccount();
  private readonly account = nkeys.createAccount();

  /** The nats-server configuration (pass it with `-c`). */
  serverConfig(): string {
    const operatorJwt = sign(this.operator, {
      sub: this.operator.getPublicKey(),
      name: 'databus-test-operator',
      nats: { system_account: this.system.getPublicKey(), type: 'operator', version: 2 },
    });
    const account = (kp: KeyPair, name: string, jetstream: boolean) =>
      sign(this.operator, {
        sub: kp.getPublicKey(),
        name,
        nats: {
          limits: jetstream
            ? { ...UNLIMITED, mem_storage: -1, disk_storage: -1, streams: -1, consumer: -1 }
            : UNLIMITED,
          default_permissions: { pub: {}, sub: {} },
          type: 'account',
          version: 2,
        },
      });
    return [
      `operator: "${operatorJwt}"`,
      `system_account: ${this.system.getPublicKey()}`,
      'resolver: MEMORY',
      'resolver_preload: {',
      `  ${this.system.getPublicKey()}: "${account(this.system, 'SYS', false)}"`,
      `  ${this.account.getPublicKey()}: "${account(this.account, 'DATASETS', true)}"`,
      '}',
      '',
    ].join('\n');
  }

  /** A new bearer user JWT of the application account (a fresh user key each time). */
  issueBearerUser(name = 'user'): string {
    const user = nkeys.createUser();
    return sign(this.account, {
      sub: user.getPublicKey(),
      name,
      nats: {
        pub: {},
        sub: {},
        subs: -1,
        data: -1,
        payload: -1,
        bearer_token: true,
        type: 'user',
        version: 2,
      },
    });
  }
}

function sign(signer: KeyPair, claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const head = part({ typ: 'JWT', alg: 'ed25519-nkey' });
  const body = part({
    jti: randomUUID(),
    iat: Math.floor(Date.now() / 1000),
    iss: signer.getPublicKey(),
    ...claims,
  });
  const signature = Buffer.from(signer.sign(new TextEncoder().encode(`${head}.${body}`))).toString(
    'base64url',
  );
  return `${head}.${body}.${signature}`;
}
