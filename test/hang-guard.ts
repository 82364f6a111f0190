// Broker and end-to-end tests: a 30 s per-test hang guard instead of Jest's 5 s default. It is not a speed
// assertion (speed is measured by `npm run bench`); it keeps a correct test from failing on a loaded 2-core CI
// machine. `testTimeout` in a project block of jest.config.js is not applied by Jest, so it is set here. A file
// may still set its own with `jest.setTimeout`.
jest.setTimeout(30_000);
