import { BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';
import type { StatsNotification } from '../sensors/stats-task.dto';

/** A stored reading, as shown on the page. */
export interface LiveReading {
  sensor: string;
  value: number;
  time: string;
  sequence: string;
}

/**
 * Fans readings and notifications out to server-sent-event clients. At shutdown the streams complete, so open
 * SSE responses end and the HTTP server can close.
 */
@Injectable()
export class LiveFeed implements BeforeApplicationShutdown {
  private readonly readingSubject = new Subject<LiveReading>();
  private readonly notificationSubject = new Subject<StatsNotification>();

  get readings(): Observable<LiveReading> {
    return this.readingSubject.asObservable();
  }

  get notifications(): Observable<StatsNotification> {
    return this.notificationSubject.asObservable();
  }

  reading(reading: LiveReading): void {
    this.readingSubject.next(reading);
  }

  notification(notification: StatsNotification): void {
    this.notificationSubject.next(notification);
  }

  beforeApplicationShutdown(): void {
    this.readingSubject.complete();
    this.notificationSubject.complete();
  }
}
