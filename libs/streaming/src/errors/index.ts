export {
  NoCommittedPositionError,
  SubscriptionClosedError,
  SubscriptionLostError,
  RemoteHandlerError,
  PrefetchLimitError,
} from './streaming.errors';
