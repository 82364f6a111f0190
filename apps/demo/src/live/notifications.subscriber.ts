import { Inject, Injectable, Logger, Optional, Type } from '@nestjs/common';
import { EventSubscriber, TaskPayload } from '@databus/queue';
import { CentrifugoClient } from '@databus/realtime';
import { DEMO_CONFIG } from '../config/demo.config';
import { DemoConfig, DemoQueueNames } from '../config/demo-config.interface';
import type { LogEvent, StatsNotification } from '../sensors/stats-task.dto';
import { LiveFeed } from './live-feed.service';

/**
 * Listens on the notifications and logs fanout exchanges (`NOTIFICATIONS_EXCHANGE`, `LOGS_EXCHANGE`; default
 * `notifications` and `logs`), each through its own exclusive auto-named queue (every instance of the app gets
 * every event): notifications go to the SSE feed (and to Centrifugo when `CENTRIFUGO_API_URL` is set), log
 * events to the application log. `notificationsSubscriberOn(names)` gives the provider class for the names.
 */
@Injectable()
export class NotificationsSubscriber {
  private readonly logger = new Logger('Events');

  constructor(
    private readonly feed: LiveFeed,
    @Inject(DEMO_CONFIG) private readonly config: DemoConfig,
    @Optional() private readonly centrifugo?: CentrifugoClient,
  ) {}

  async onNotification(event: StatsNotification): Promise<void> {
    this.feed.notification(event);
    const channel = this.config.centrifugo?.channel;
    if (this.centrifugo && channel)
      await this.centrifugo.publish({ channel, data: { ...event } }).catch((error: unknown) => {
        this.logger.warn(
          `Centrifugo publish failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
  }

  onLog(event: LogEvent): void {
    this.feed.log(event);
    this.logger.warn(`[${event.level}] ${event.timestamp} ${event.content}`);
  }
}

/** The subscriber class for the configured exchange names (the decorators need them when it is defined). */
export function notificationsSubscriberOn(names: DemoQueueNames): Type<NotificationsSubscriber> {
  @Injectable()
  class ConfiguredNotificationsSubscriber extends NotificationsSubscriber {
    @EventSubscriber(names.notificationsExchange)
    override onNotification(@TaskPayload() event: StatsNotification): Promise<void> {
      return super.onNotification(event);
    }

    @EventSubscriber(names.logsExchange)
    override onLog(@TaskPayload() event: LogEvent): void {
      super.onLog(event);
    }
  }
  Object.defineProperty(ConfiguredNotificationsSubscriber, 'name', { value: 'NotificationsSubscriber' });
  return ConfiguredNotificationsSubscriber;
}
