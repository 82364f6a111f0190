import { defineCapabilities, TransportCapabilities } from '../../transport/transport-capabilities';

/** What the nats transport can do (free of the nats client, so the account-server bootstrap can share it unloaded). */
export const NATS_CAPABILITIES: TransportCapabilities = defineCapabilities({
  // sessionTimeoutMs: the group consumer's ack_wait (a silent member's messages go to the others after it).
  channelSettings: { sessionTimeoutMs: true },
  // The subjects under `<subjectPrefix><pattern>` JetStream holds (a consumer per dataset stream).
  datasetPatterns: 'listed',
});
