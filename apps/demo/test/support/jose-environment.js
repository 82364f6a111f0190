// Jest test environment for the demo's e2e tests. jose 6 is ESM-only and Jest 30 refuses to `require` ESM
// inside its module registry, while Node itself (>= 20.19) can. This environment loads jose with Node's own
// `require` and hands it to the tests, which map the `jose` module to it (`jest.mock('jose', …)`), so the app
// code under test signs and verifies with the real library.
const { TestEnvironment } = require('jest-environment-node');

class JoseEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.__databusJose = require('jose');
  }
}

module.exports = JoseEnvironment;
