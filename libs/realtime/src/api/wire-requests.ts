import type { CentrifugoMethod, RequestOf } from './methods';
import type { PublicationFields, StreamPosition, SubscribeOverride } from './requests';

/** A JSON body as Centrifugo reads it (snake_case keys, undefined fields left out). */
export type WireObject = Record<string, unknown>;

type Encoder<M extends CentrifugoMethod> = (request: RequestOf<M>) => WireObject;

/**
 * camelCase request → the documented snake_case body, one encoder per method. User payloads (`data`,
 * `info`, `tags`) are passed through untouched; fields left `undefined` are not sent.
 */
const ENCODERS: { [M in CentrifugoMethod]: Encoder<M> } = {
  publish: (r) => compact({ channel: r.channel, ...publication(r) }),
  broadcast: (r) => compact({ channels: r.channels, ...publication(r) }),
  subscribe: (r) =>
    compact({
      channel: r.channel,
      user: r.user,
      expire_at: r.expireAt,
      info: r.info,
      b64info: r.b64info,
      client: r.client,
      session: r.session,
      data: r.data,
      b64data: r.b64data,
      recover_since: position(r.recoverSince),
      override: override(r.override),
    }),
  unsubscribe: (r) => compact({ channel: r.channel, user: r.user, client: r.client, session: r.session }),
  disconnect: (r) =>
    compact({
      user: r.user,
      client: r.client,
      session: r.session,
      whitelist: r.whitelist,
      disconnect: r.disconnect && { code: r.disconnect.code, reason: r.disconnect.reason },
    }),
  refresh: (r) =>
    compact({
      user: r.user,
      client: r.client,
      session: r.session,
      expired: r.expired,
      expire_at: r.expireAt,
      info: r.info,
    }),
  presence: (r) => compact({ channel: r.channel }),
  presence_stats: (r) => compact({ channel: r.channel }),
  history: (r) =>
    compact({ channel: r.channel, limit: r.limit, since: position(r.since), reverse: r.reverse }),
  history_remove: (r) => compact({ channel: r.channel }),
  channels: (r) => compact({ pattern: r.pattern }),
  info: () => ({}),
};

/**
 * The JSON body of method `method` for `request`, exactly as `POST {apiUrl}/{method}` expects it.
 * Also usable to build events for Centrifugo's async consumers (method + payload).
 * @publicApi
 */
export function encodeRequest<M extends CentrifugoMethod>(method: M, request: RequestOf<M>): WireObject {
  const encoder = ENCODERS[method] as Encoder<M> | undefined;
  if (!encoder) throw new TypeError(`Unknown Centrifugo API method "${String(method)}".`);
  if (request === null || typeof request !== 'object')
    throw new TypeError(`The "${method}" request must be an object.`);
  return encoder(request);
}

function publication(r: PublicationFields): WireObject {
  return {
    data: r.data,
    b64data: r.b64data,
    skip_history: r.skipHistory,
    tags: r.tags,
    idempotency_key: r.idempotencyKey,
    delta: r.delta,
    version: r.version,
    version_epoch: r.versionEpoch,
  };
}

function position(p: StreamPosition | undefined): WireObject | undefined {
  return p && { offset: p.offset, epoch: p.epoch };
}

function override(o: SubscribeOverride | undefined): WireObject | undefined {
  if (!o) return undefined;
  const wrap = (value: boolean | undefined) => (value === undefined ? undefined : { value });
  return compact({
    presence: wrap(o.presence),
    join_leave: wrap(o.joinLeave),
    force_recovery: wrap(o.forceRecovery),
    force_positioning: wrap(o.forcePositioning),
    force_push_join_leave: wrap(o.forcePushJoinLeave),
  });
}

function compact(body: WireObject): WireObject {
  const out: WireObject = {};
  for (const [key, value] of Object.entries(body)) if (value !== undefined) out[key] = value;
  return out;
}
