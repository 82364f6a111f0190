// Jest test environment for the demo's e2e tests. jose 6 is ESM-only and Jest 30 refuses to `require` ESM
// inside its module registry, while Node itself (>= 20.19) can. This environment loads jose with Node's own
// `require` and hands it to the tests, which map the `jose` module to it (`jest.mock('jose', …)`), so the app
// code under test signs and verifies with the real library. PGlite (the demo's embedded PostgreSQL) is loaded
// the same way: it imports its WebAssembly build with a dynamic import(), which Jest's module registry refuses
// without --experimental-vm-modules (test/support/demo-harness.ts maps the module to this copy).
const { TestEnvironment } = require('jest-environment-node');

class JoseEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__databusJose = require('jose');
    this.global.__databusPglite = require('@electric-sql/pglite');
  }
}

module.exports = JoseEnvironment;
