export type { EventBus, EventBusOptions, EventSubscription, FarmEvent, PublishOptions } from "./event-bus.ts";
export { createInProcessBus } from "./in-process-bus.ts";
export { connectNatsBus, type NatsBusOptions } from "./nats-bus.ts";
export { subjects } from "./subjects.ts";
