import type { Socket } from 'node:net';
import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { LogEvent, StatsNotification } from '../sensors/stats-task.dto';

/** A stored reading, as shown on the page. */
export interface LiveReading {
  sensor: string;
  value: number;
  time: string;
  sequence: string;
}

/**
 * Fans readings and notifications out to server-sent-event clients. At shutdown the streams complete and the
 * SSE connections are ended (a client's idle event stream must not hold the HTTP server open).
 */
@Injectable()
export class LiveFeed implements BeforeApplicationShutdown {
  private readonly readingSubject = new Subject<LiveReading>();
  private readonly notificationSubject = new Subject<StatsNotification>();
  private readonly logSubject = new Subject<LogEvent>();
  private readonly sockets = new Set<Socket>();

  get readings(): Observable<LiveReading> {
    return this.readingSubject.asObservable();
  }

  get notifications(): Observable<StatsNotification> {
    return this.notificationSubject.asObservable();
  }

  get logs(): Observable<LogEvent> {
    return this.logSubject.asObservable();
  }

  reading(reading: LiveReading): void {
    this.readingSubject.next(reading);
  }

  notification(notification: StatsNotification): void {
    this.notificationSubject.next(notification);
  }

  log(event: LogEvent): void {
    this.logSubject.next(event);
  }

  /** Remembers the connection of an event stream, to end it at shutdown. */
  track(socket: Socket): void {
    if (this.sockets.has(socket) || socket.destroyed) return;
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.readingSubject.complete();
    this.notificationSubject.complete();
    this.logSubject.complete();
    // Let the responses write their end, then close the connections (after flushing what is queued).
    await new Promise((resolve) => setImmediate(resolve));
    for (const socket of this.sockets) socket.end();
  }
}
