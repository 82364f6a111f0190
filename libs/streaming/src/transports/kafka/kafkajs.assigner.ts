import { AssignerProtocol, Assignment, PartitionAssigner } from 'kafkajs';

/**
 * A round-robin partition assigner that honours each member's own subscription.
 *
 * kafkajs' built-in `RoundRobinAssigner` spreads the partitions of the leader's topics over every member of
 * the group, whatever each member subscribed to. databus opens one consumer per dataset, and a group name is
 * commonly shared by several datasets (`StreamingModule.forRoot({ group })`): with the built-in assigner a
 * member would be given partitions of a topic it does not consume, and kafkajs silently drops them. This
 * assigner gives each topic's partitions only to the members subscribed to it. It keeps the protocol name
 * `RoundRobinAssigner` and its wire format, so plain kafkajs consumers can share a group with databus.
 */
export const subscriptionRoundRobin: PartitionAssigner = ({ cluster }) => ({
  name: 'RoundRobinAssigner',
  version: 0,
  async assign({ members, topics }) {
    const subscriptions = members.map((m) => ({
      memberId: m.memberId,
      topics: AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.topics ?? topics,
    }));
    const allTopics = [...new Set(subscriptions.flatMap((s) => s.topics))].sort();
    await cluster.addMultipleTargetTopics(allTopics);
    const assignment = new Map<string, Assignment>(members.map((m) => [m.memberId, {}]));
    let turn = 0;
    for (const topic of allTopics) {
      const holders = subscriptions
        .filter((s) => s.topics.includes(topic))
        .map((s) => s.memberId)
        .sort();
      const partitions = cluster
        .findTopicPartitionMetadata(topic)
        .map((p) => p.partitionId)
        .sort((a, b) => a - b);
      for (const partition of partitions) {
        const member = assignment.get(holders[turn++ % holders.length]) as Assignment;
        (member[topic] ??= []).push(partition);
      }
    }
    return members.map((m) => ({
      memberId: m.memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 0,
        assignment: assignment.get(m.memberId) as Assignment,
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: 'RoundRobinAssigner',
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    };
  },
});
