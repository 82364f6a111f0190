import { DynamicModule, Module } from '@nestjs/common';
import { DemoQueueNames } from '../config/demo-config.interface';
import { LiveController } from './live.controller';
import { LiveFeed } from './live-feed.service';
import { notificationsSubscriberOn } from './notifications.subscriber';

/** Server-sent events of readings and notifications, fed by the dataset handler and the event subscribers. */
@Module({})
export class LiveModule {
  /** With the exchanges the event subscribers listen on. */
  static forRoot(names: DemoQueueNames): DynamicModule {
    return {
      module: LiveModule,
      controllers: [LiveController],
      providers: [LiveFeed, notificationsSubscriberOn(names)],
      exports: [LiveFeed],
    };
  }
}
