// Probes the loopback brokers once per run (see libs/testing/src/brokers.ts).
import { probeBrokers } from '../libs/testing/src/brokers';

export default probeBrokers;
