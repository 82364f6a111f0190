// Type-only view of ChannelService for ConsumerGroupChannel, which ChannelService itself constructs
// (a type import keeps the two files free of a runtime import cycle).
export type { ChannelService, ProduceRecord } from './channel.service';
export type { ProduceResult } from '../transport/transport-record.interface';
