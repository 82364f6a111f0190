import { Injectable, Type } from '@nestjs/common';
import { waitFor } from '@databus/testing';
import {
  ChannelService,
  Ctx,
  DatasetHandlerOptions,
  DatasetMessage,
  DatasetPattern,
  Offset,
  OnDatasetMessage,
  Payload,
  Subscription,
} from '@databus/streaming';
import { ConformanceTarget, startApp, TestApp } from './harness';

/** Waits for `condition` within the target's delivery bound. */
export function waitUntil(
  target: ConformanceTarget,
  condition: () => boolean,
  message: string,
  factor = 1,
): Promise<true> {
  return waitFor(() => condition() || undefined, {
    timeoutMs: (target.deliveryTimeoutMs ?? 10_000) * factor,
    message,
  }) as Promise<true>;
}

/** Produces `count` JSON messages `{ i }` (i from `from`), one call each, in order. */
export async function produceNumbered(
  channel: ChannelService,
  dataset: string,
  count: number,
  { from = 0, key }: { from?: number; key?: (i: number) => string } = {},
): Promise<void> {
  for (let i = from; i < from + count; i++) await channel.produce(dataset, { i }, key ? { key: key(i) } : {});
}

/** Reads `count` messages from an iterator subscription (committing as it goes). */
export async function take(sub: Subscription, count: number): Promise<DatasetMessage[]> {
  const out: DatasetMessage[] = [];
  if (count === 0) return out;
  for await (const msg of sub) {
    out.push(msg);
    if (out.length >= count) {
      await msg.ack();
      break;
    }
  }
  return out;
}

/**
 * Like `take`, but bounded: when `count` messages have not come within the target's delivery bound, closes
 * `sub` (which ends the iteration) and fails saying how many did, so a stalled subscription fails the test
 * instead of hanging it.
 */
export async function takeWithin(
  target: ConformanceTarget,
  sub: Subscription,
  count: number,
  what: string,
): Promise<DatasetMessage[]> {
  const out: DatasetMessage[] = [];
  let timedOut = false;
  const bound = target.deliveryTimeoutMs ?? 10_000;
  const timer = setTimeout(() => {
    timedOut = true;
    void sub.close();
  }, bound);
  try {
    for await (const msg of sub) {
      out.push(msg);
      if (out.length >= count) {
        await msg.ack();
        break;
      }
    }
  } finally {
    clearTimeout(timer);
  }
  if (timedOut && out.length < count)
    throw new Error(`Expected ${count} message(s) ${what} within ${bound} ms, received ${out.length}.`);
  return out;
}

/** What a recording handler saw. */
export interface Recorded {
  payload: { i: number; [k: string]: unknown };
  message: DatasetMessage;
}

/**
 * Builds a provider class with one `@OnDatasetMessage(dataset, options)` method that records what it gets
 * and then runs `behaviour` (which may throw or wait).
 */
export function recordingHandler(
  dataset: string | string[] | DatasetPattern,
  options: DatasetHandlerOptions,
  seen: Recorded[],
  behaviour: (payload: Recorded['payload'], message: DatasetMessage) => unknown = () => undefined,
): Type {
  @Injectable()
  class RecordingHandler {
    @OnDatasetMessage(dataset, options)
    async handle(@Payload() payload: Recorded['payload'], @Ctx() message: DatasetMessage): Promise<unknown> {
      seen.push({ payload, message });
      return behaviour(payload, message);
    }
  }
  return RecordingHandler;
}

/** Subscribes an iterator to `dataset` that records every message into `into` (commits as it goes). */
export function drainInto(sub: Subscription, into: DatasetMessage[]): Promise<void> {
  return (async () => {
    for await (const msg of sub) into.push(msg);
  })().catch(() => undefined);
}

/**
 * Starts an app with `handler`, records what reaches the dead-letter dataset `deadLetters` (from the latest
 * position) into `dlq`, runs `body` once the subscriptions had time to settle, then closes the dead-letter
 * subscription and the app (also when the subscription or `body` fails).
 */
export async function withDeadLetters(
  target: ConformanceTarget,
  handler: Type,
  deadLetters: string,
  body: (app: TestApp, dlq: DatasetMessage[]) => Promise<void>,
): Promise<void> {
  const app = await startApp(target, target.url(), { providers: [handler] });
  const dlq: DatasetMessage[] = [];
  const dlqSub = await app.channel
    .subscribe(deadLetters, { offset: Offset.LATEST, batch: 1 })
    .catch(async (error: unknown) => {
      await app.close();
      throw error;
    });
  const draining = drainInto(dlqSub, dlq);
  try {
    await delay(200);
    await body(app, dlq);
  } finally {
    await dlqSub.close();
    await draining;
    await app.close();
  }
}

/** Sorted unique `i` values. */
export function indexes(messages: Array<{ json<T>(): T } | Recorded>): number[] {
  const values = messages.map((m) =>
    'payload' in m ? m.payload.i : (m as { json<T>(): T }).json<{ i: number }>().i,
  );
  return [...new Set(values)].sort((a, b) => a - b);
}

export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, k) => from + k);

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
