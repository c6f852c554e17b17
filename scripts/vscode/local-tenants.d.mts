// Types of local-tenants.mjs, for the test that imports it (test/scripts/start.slow.test.ts).
export declare function stopLocalTenants(userData: string): Promise<void>;
