import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        projects: [
            {
                test: {
                    name: "unit",
                    include: ["test/unit/**/*.test.ts"],
                    pool: "threads",
                },
            },
            {
                test: {
                    name: "model",
                    include: ["test/model/**/*.test.ts"],
                    // node-llama-cpp holds native memory: one fork, one file at a time.
                    pool: "forks",
                    poolOptions: { forks: { singleFork: true } },
                    testTimeout: 120_000,
                    hookTimeout: 180_000,
                },
            },
            {
                test: {
                    name: "integration",
                    include: ["test/integration/**/*.test.ts"],
                    // Real gRPC servers with native models: one fork, one file at a time (2 cores).
                    pool: "forks",
                    poolOptions: { forks: { singleFork: true } },
                    testTimeout: 60_000,
                    hookTimeout: 120_000,
                },
            },
            {
                test: {
                    name: "package",
                    include: ["test/package/**/*.test.ts"],
                    // npm pack + npm install into an empty folder, then the installed `tiercel` command.
                    pool: "forks",
                    poolOptions: { forks: { singleFork: true } },
                    testTimeout: 120_000,
                    hookTimeout: 600_000,
                },
            },
            {
                test: {
                    // Slow scenario tests of failure modes (npm run test:fault); not part of npm test.
                    name: "fault",
                    include: ["test/fault/**/*.test.ts"],
                    pool: "forks",
                    poolOptions: { forks: { singleFork: true } },
                    testTimeout: 60_000,
                    hookTimeout: 120_000,
                },
            },
        ],
    },
});
