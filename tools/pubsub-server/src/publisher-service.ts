/** gRPC handlers of google.pubsub.v1.Publisher. */
import type * as grpc from "@grpc/grpc-js";
import type { Broker } from "./broker";
import { notFound } from "./errors";
import { parseName, parseProject } from "./names";
import { paginate } from "./paging";
import { unary } from "./rpc";
import type { FieldMask, PubsubMessage, Topic } from "./types";

type ListRequest = { page_size?: number; page_token?: string };

export function publisherHandlers(broker: Broker): grpc.UntypedServiceImplementation {
  const topicSubscriptionNames = (topic: string | undefined): string[] => {
    broker.requireTopic(topic);
    return [...broker.subs.values()].filter((s) => s.resource.topic === topic && !s.resource.detached).map((s) => s.resource.name!);
  };
  return {
    CreateTopic: unary((req: Topic) => broker.createTopic(req)),
    UpdateTopic: unary((req: { topic?: Topic; update_mask?: FieldMask }) => broker.updateTopic(req.topic, req.update_mask?.paths ?? [])),
    GetTopic: unary((req: { topic?: string }) => broker.requireTopic(req.topic)),
    Publish: unary((req: { topic?: string; messages?: PubsubMessage[] }) => ({ message_ids: broker.publish(req.topic, req.messages) })),
    ListTopics: unary((req: ListRequest & { project?: string }) => {
      const project = parseProject(req.project);
      const all = [...broker.topics.values()].filter((t) => t.name!.split("/")[1] === project);
      const page = paginate(all, (t) => t.name!, req.page_size, req.page_token);
      return { topics: page.items, next_page_token: page.next_page_token };
    }),
    ListTopicSubscriptions: unary((req: ListRequest & { topic?: string }) => {
      const page = paginate(topicSubscriptionNames(req.topic), (n) => n, req.page_size, req.page_token);
      return { subscriptions: page.items, next_page_token: page.next_page_token };
    }),
    ListTopicSnapshots: unary((req: ListRequest & { topic?: string }) => {
      broker.requireTopic(req.topic);
      const page = paginate(broker.snapshots.namesForTopic(req.topic!), (n) => n, req.page_size, req.page_token);
      return { snapshots: page.items, next_page_token: page.next_page_token };
    }),
    DeleteTopic: unary((req: { topic?: string }) => broker.deleteTopic(req.topic)),
    DetachSubscription: unary((req: { subscription?: string }) => {
      parseName(req.subscription, "subscriptions");
      if (!broker.subs.has(req.subscription!)) throw notFound(`Subscription does not exist (resource=${req.subscription})`);
      broker.detach(req.subscription);
      return {};
    }),
  };
}
