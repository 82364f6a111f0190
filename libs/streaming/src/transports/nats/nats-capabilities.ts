import { TransportCapabilities } from '../../transport/transport-capabilities';

/** What the nats transport can do (import-free, so the account-server bootstrap can share it unloaded). */
export const NATS_CAPABILITIES: TransportCapabilities = Object.freeze({
  seekBySequence: true,
  seekByTime: true,
  seek: true,
  history: true,
  durableGroups: true,
  requestReply: true,
  ackMode: 'individual',
  nack: true,
  // sessionTimeoutMs: the group consumer's ack_wait (a silent member's messages go to the others after it).
  channelSettings: Object.freeze({ requestTimeoutMs: false, sessionTimeoutMs: true, extraConfigs: [] }),
  // The subjects under `<subjectPrefix><pattern>` JetStream holds (a consumer per dataset stream).
  datasetPatterns: true,
});
