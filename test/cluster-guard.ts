// Cluster tests: a 90 s per-test hang guard (a failover run starts, kills and restarts nodes on a loaded 2-core
// machine). Not a speed assertion; the processes themselves are bounded by ProcessCluster's lifetime.
jest.setTimeout(90_000);
