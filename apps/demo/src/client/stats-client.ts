import { SseParser } from './sse-parser';

/** Options of `requestStats`. */
export interface RequestStatsOptions {
  /** The sensor hub, e.g. `http://127.0.0.1:3000`. */
  baseUrl: string;
  sensor: string;
  /** How long to wait for the notification after a 202. @default 30_000 */
  timeoutMs?: number;
  /** DELETE the stored stats first, so they are computed again. @default false */
  recompute?: boolean;
  /** Progress messages. @default none */
  log?: (message: string) => void;
}

/** What `requestStats` ends with. */
export interface StatsOutcome {
  /** 200: the stats were there; 202: they were computed while we waited. */
  via: 200 | 202;
  stats: Record<string, unknown>;
}

/** A non-2xx answer of the API. */
export class StatsRequestError extends Error {
  override readonly name = 'StatsRequestError';

  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The course's client flow: GET the stats; on 200 they are the answer; on 202 wait for the `notifications`
 * event of this sensor (here as server-sent events from `GET /api/notifications`), then GET them again.
 * The event stream is opened before the GET, so a fast worker's notification cannot be missed.
 */
export async function requestStats(options: RequestStatsOptions): Promise<StatsOutcome> {
  const { baseUrl, sensor, log = () => undefined } = options;
  const statsUrl = `${baseUrl}/api/sensors/${encodeURIComponent(sensor)}/stats`;
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`no notification for ${sensor} within ${options.timeoutMs ?? 30_000} ms`)),
    options.timeoutMs ?? 30_000,
  );
  timer.unref();
  try {
    if (options.recompute) {
      const deleted = await fetch(statsUrl, { method: 'DELETE', signal: abort.signal });
      if (!deleted.ok) throw await failure(deleted);
      log(`Deleted the stored stats of ${sensor}`);
    }
    const events = await fetch(`${baseUrl}/api/notifications?sensor=${encodeURIComponent(sensor)}`, {
      headers: { Accept: 'text/event-stream' },
      signal: abort.signal,
    });
    if (!events.ok || !events.body) throw await failure(events);
    const notified = waitForNotification(events.body, sensor);
    notified.catch(() => undefined); // awaited below only on 202; never an unhandled rejection
    const first = await fetch(statsUrl, { signal: abort.signal });
    if (first.status === 200) return { via: 200, stats: (await first.json()) as Record<string, unknown> };
    if (first.status !== 202) throw await failure(first);
    log(`202 Accepted: stats of ${sensor} are being computed; waiting for the notification…`);
    await notified;
    log(`Notification received for ${sensor}`);
    const second = await fetch(statsUrl, { signal: abort.signal });
    if (second.status !== 200) throw await failure(second);
    return { via: 202, stats: (await second.json()) as Record<string, unknown> };
  } catch (error) {
    throw abort.signal.aborted && abort.signal.reason instanceof Error ? abort.signal.reason : error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

async function waitForNotification(body: ReadableStream<Uint8Array>, sensor: string): Promise<void> {
  const parser = new SseParser();
  const decoder = new TextDecoder();
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) throw new Error('the notification stream ended (is the server shutting down?)');
    for (const event of parser.push(decoder.decode(value, { stream: true }))) {
      if (event.event !== 'notification') continue;
      const data = JSON.parse(event.data) as { sensor?: string };
      if (data.sensor === sensor) return;
    }
  }
}

async function failure(response: Response): Promise<StatsRequestError> {
  let detail = '';
  try {
    const body = (await response.json()) as { message?: unknown };
    detail = typeof body.message === 'string' ? `: ${body.message}` : '';
  } catch {
    // not JSON
  }
  return new StatsRequestError(response.status, `${response.url} answered ${response.status}${detail}`);
}
