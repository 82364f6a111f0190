import { Module } from '@nestjs/common';
import { LiveController } from './live.controller';
import { LiveFeed } from './live-feed.service';
import { NotificationsSubscriber } from './notifications.subscriber';

/** Server-sent events of readings and notifications, fed by the dataset handler and the event subscribers. */
@Module({
  controllers: [LiveController],
  providers: [LiveFeed, NotificationsSubscriber],
  exports: [LiveFeed],
})
export class LiveModule {}
