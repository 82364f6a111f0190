export { handlerContextCreator } from './handler-context-creator';
export type { HandlerInvokerOptions } from './handler-invoker';
export { createHandlerInvoker } from './handler-invoker';
export { directHandler } from './direct-handler';
export type { DirectHandler } from './direct-handler';
export type {
  CatalogHandler,
  CatalogMethod,
  CatalogServer,
  MessagingCatalog,
  MessagingCatalogSource,
} from './messaging-catalog';
export {
  DESCRIBE_MESSAGING,
  catalogServer,
  isMessagingCatalogSource,
  messagingCatalog,
  payloadParamType,
} from './messaging-catalog';
export { handlerParam } from './handler-param';
export { ROUTE_ARGS_METADATA, PAYLOAD_PARAM, CONTEXT_PARAM } from './rpc-params';
