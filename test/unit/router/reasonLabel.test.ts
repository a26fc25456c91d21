import { describe, expect, it } from "vitest";
import { reasonLabel } from "../../../src/router/RouteRecorder.js";

describe("reasonLabel", () => {
    it.each([
        ["default", "default"],
        ["hint:tier", "hint:tier"],
        ["affinity", "affinity"],
        ["rule:security", "rule:security"],
        ["classifier:learned", "classifier:learned"],
        ["feedback:completion|s", "feedback"],
        ["feedback:anything the caller sent|xl", "feedback"],
        ["escalation:rule:security", "escalation:rule:security"],
        ["escalation:feedback:chat|xs", "escalation:feedback"],
    ])("%s → %s", (reason, label) => {
        expect(reasonLabel(reason)).toBe(label);
    });
});
