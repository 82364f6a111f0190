/** Injection token of the resolved `AsyncApiModule` options. */
export const ASYNCAPI_OPTIONS = Symbol('databus:asyncapi:options');
