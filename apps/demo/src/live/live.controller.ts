import { Controller, MessageEvent, Query, Req, Sse } from '@nestjs/common';
import type { Request } from 'express';
import { filter, interval, map, merge, Observable, takeUntil, last, defaultIfEmpty } from 'rxjs';
import { LiveFeed } from './live-feed.service';

/** Interval of the comment-less keep-alive events that stop proxies from closing idle streams. */
const KEEP_ALIVE_MS = 15_000;

/**
 * Server-sent events: `GET /api/notifications` (event `notification`: a sensor's stats are ready; `?sensor=`
 * filters), `GET /api/readings/live` (event `reading`) and `GET /api/logs` (event `log`: a task failed).
 */
@Controller('api')
export class LiveController {
  constructor(private readonly feed: LiveFeed) {}

  @Sse('notifications')
  notifications(@Req() request: Request, @Query('sensor') sensor?: string): Observable<MessageEvent> {
    this.feed.track(request.socket);
    return this.withKeepAlive(
      this.feed.notifications.pipe(
        filter((n) => !sensor || n.sensor === sensor),
        map((data) => ({ type: 'notification', data })),
      ),
    );
  }

  @Sse('readings/live')
  readings(@Req() request: Request): Observable<MessageEvent> {
    this.feed.track(request.socket);
    return this.withKeepAlive(this.feed.readings.pipe(map((data) => ({ type: 'reading', data }))));
  }

  /** Log events of the `logs` exchange (failed tasks), event `log`. */
  @Sse('logs')
  logs(@Req() request: Request): Observable<MessageEvent> {
    this.feed.track(request.socket);
    return this.withKeepAlive(this.feed.logs.pipe(map((data) => ({ type: 'log', data }))));
  }

  private withKeepAlive(events: Observable<MessageEvent>): Observable<MessageEvent> {
    const ended = events.pipe(defaultIfEmpty(null), last());
    const pings = interval(KEEP_ALIVE_MS).pipe(
      map((): MessageEvent => ({ type: 'ping', data: '' })),
      takeUntil(ended),
    );
    return merge(events, pings);
  }
}
