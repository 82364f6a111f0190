// The repository's one test PKI lives in libs/testing (createTestPki); the auth tests use it as is.
export { createTestPki } from '@databus/testing';
export type { TestPki } from '@databus/testing';
