import { describeStoreContract } from './support/store-contract.js';
import { memoryHarness, postgresHarness, sqliteHarness } from './support/harnesses.js';

// One suite, three engines. PostgreSQL is the real server (DATABASE_URL, default
// 127.0.0.1:5432): without it these tests fail with how to start it, never skip.
describeStoreContract(memoryHarness);
describeStoreContract(sqliteHarness());
describeStoreContract(postgresHarness());
