/** @databus/testing: helpers for the suite's own tests. Never imported by a lib's src. */
export type { BrokerName } from './brokers';
export { brokerUrl, probeBrokers, describeWithBroker } from './brokers';
export { uniqueName, waitFor, deferred } from './wait';
export { CapturingLogger } from './capturing-logger';
export type { LogLine } from './capturing-logger';
export type { TestPki, TestPkiOptions } from './pki';
export { createTestPki } from './pki';
export { barrelExports } from './barrel';
export type { ClusterNodeSpec, ProcessClusterOptions } from './process-cluster';
export { ProcessCluster } from './process-cluster';
export { freePorts } from './free-ports';
export { collectGarbage } from './gc';
export type { PikaProgram, PikaRun } from './pika';
export { PIKA_PYTHON, pikaAvailable, describeWithPika, startPika, runPika } from './pika';
