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
        ],
    },
});
