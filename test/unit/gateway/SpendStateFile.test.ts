import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { KeySpendLimiter } from "../../../src/gateway/KeySpendLimiter.js";
import { SpendStateFile } from "../../../src/gateway/SpendStateFile.js";
import { silentLogger } from "../../../src/util/logger.js";

const day = 86_400_000;

function limiterAt(now: { t: number }): KeySpendLimiter {
    return new KeySpendLimiter({ usdPerDay: 0.01, now: () => now.t });
}

describe("SpendStateFile", () => {
    it("keeps a key's spend today across a restart, and each key's own", async () => {
        const path = join(mkdtempSync(join(tmpdir(), "tiercel-spend-")), "state", "spend.json");
        const now = { t: 100 * day + 3_600_000 };
        const before = limiterAt(now);
        const file = new SpendStateFile(before, { path, logger: silentLogger });
        before.record("key-a", 0.004);
        before.record("key-a", 0.007);
        before.record("key-b", 0.002);
        await file.close();
        expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({
            version: 1,
            keys: { "key-a": { day: 100, usd: 0.011 }, "key-b": { day: 100, usd: 0.002 } },
        });

        const after = limiterAt(now);
        const reopened = new SpendStateFile(after, { path, logger: silentLogger });
        expect(() => {
            after.check("key-a");
        }).toThrow("this gateway key has spent $0.0110 today");
        expect(after.spentToday("key-b")).toBe(0.002);
        after.record("key-b", 0.001);
        await reopened.close();
        expect(limiterAt(now).spentToday("key-b")).toBe(0); // a limiter without the file starts at zero
        const third = limiterAt(now);
        await new SpendStateFile(third, { path, logger: silentLogger }).close();
        expect(third.spentToday("key-b")).toBeCloseTo(0.003, 10);
    });

    it("drops an earlier UTC day's spend when it starts after midnight", async () => {
        const path = join(mkdtempSync(join(tmpdir(), "tiercel-spend-")), "spend.json");
        const now = { t: 100 * day + 23 * 3_600_000 };
        const before = limiterAt(now);
        const file = new SpendStateFile(before, { path, logger: silentLogger });
        before.record("key-a", 0.02);
        await file.close();
        now.t = 101 * day + 60_000; // 00:01 the next day
        const after = limiterAt(now);
        const reopened = new SpendStateFile(after, { path, logger: silentLogger });
        after.check("key-a");
        expect(after.spentToday("key-a")).toBe(0);
        after.record("key-a", 0.001);
        await reopened.close();
        expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({
            version: 1,
            keys: { "key-a": { day: 101, usd: 0.001 } },
        });
    });

    it("starts empty from a corrupt file, and writes nothing when nothing was charged", async () => {
        const path = join(mkdtempSync(join(tmpdir(), "tiercel-spend-")), "spend.json");
        writeFileSync(path, "{not json");
        const limiter = limiterAt({ t: 100 * day });
        await new SpendStateFile(limiter, { path, logger: silentLogger }).close();
        expect(limiter.spentToday("key-a")).toBe(0);
        expect(readFileSync(path, "utf8")).toBe("{not json");
    });
});
