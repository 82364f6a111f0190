export { handlerContextCreator } from './handler-context-creator';
export { type HandlerInvokerOptions, createHandlerInvoker } from './handler-invoker';
export { directHandler, type DirectHandler } from './direct-handler';
export {
  type CatalogHandler,
  type CatalogMethod,
  type CatalogServer,
  type MessagingCatalog,
  type MessagingCatalogSource,
  DESCRIBE_MESSAGING,
  catalogServer,
  isMessagingCatalogSource,
  messagingCatalog,
  payloadParamType,
} from './messaging-catalog';
export { handlerParam } from './handler-param';
export { ROUTE_ARGS_METADATA, PAYLOAD_PARAM, CONTEXT_PARAM } from './rpc-params';
