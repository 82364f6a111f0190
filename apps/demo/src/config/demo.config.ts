/** Injection token of the validated `DemoConfig` (see `DemoConfigModule`). */
export const DEMO_CONFIG = Symbol('demo:config');
