import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chooseSlot, minCopyTokens, type SlotCache } from "../../../src/engine/chooseSlot.js";

const slot = (held: number, common: number): SlotCache => ({ held, common });

describe("chooseSlot", () => {
    it("a sibling session sharing only the system prompt copies it into an empty slot", () => {
        // Slot 0 holds sub-agent A (2,419 shared + 1,000 private tokens); B shares the 2,419.
        expect(chooseSlot([slot(3419, 2419), slot(0, 0), slot(0, 0)])).toEqual({
            take: 1,
            copyFrom: { busy: false, index: 0 },
            copyTokens: 2419,
        });
    });

    it("the same conversation's next turn stays in its slot (a re-rendered answer erased is cheap)", () => {
        expect(chooseSlot([slot(3000, 0), slot(3441, 3430), slot(0, 0)])).toEqual({ take: 1 });
        // Its sibling's slot shares less: still its own.
        expect(chooseSlot([slot(3425, 2419), slot(3441, 3430), slot(0, 0)])).toEqual({ take: 1 });
    });

    it("a conversation continuing its slot's last prompt stays in place, however long the answer it erases", () => {
        // Slot 1 holds a 600-token prompt and a 1,900-token answer the next turn re-rendered differently.
        const continued = { held: 2500, common: 640, prompt: 600 };
        expect(chooseSlot([slot(900, 0), continued])).toEqual({ take: 1 });
        // A retry of the same prompt shares all of it but its last token.
        expect(chooseSlot([slot(0, 0), { held: 2500, common: 599, prompt: 600 }])).toEqual({ take: 1 });
        // A sibling sharing only part of that prompt copies it instead.
        expect(chooseSlot([slot(0, 0), { held: 2500, common: 500, prompt: 600 }])).toEqual({
            take: 0,
            copyFrom: { busy: false, index: 1 },
            copyTokens: 500,
        });
    });

    it("with no empty slot the least recently released cache is erased, not a recent conversation's tail", () => {
        expect(chooseSlot([slot(900, 0), slot(3419, 2419), slot(3500, 2419)])).toEqual({
            take: 0,
            copyFrom: { busy: false, index: 1 },
            copyTokens: 2419,
        });
        // The least recently released holds the shared prefix itself: taken in place.
        expect(chooseSlot([slot(3419, 2419), slot(900, 0)])).toEqual({ take: 0 });
    });

    it("a copy must reuse at least minCopyTokens more than staying in place", () => {
        expect(chooseSlot([slot(100, 100), slot(400, 100 + minCopyTokens - 1), slot(0, 0)])).toEqual({
            take: 0,
        });
        expect(chooseSlot([slot(100, 100), slot(400, 100 + minCopyTokens), slot(0, 0)])).toEqual({
            take: 2,
            copyFrom: { busy: false, index: 1 },
            copyTokens: 100 + minCopyTokens,
        });
    });

    it("a prefix too short to copy is reused in place when it is most of the slot (a retried request)", () => {
        expect(chooseSlot([slot(0, 0), slot(47 + 30, 46)])).toEqual({ take: 1 });
        expect(chooseSlot([slot(0, 0), slot(47 + 60, 46)])).toEqual({ take: 0 });
    });

    it("nothing worth keeping: an empty slot, else the least recently released", () => {
        expect(chooseSlot([slot(500, 3), slot(0, 0), slot(0, 0)])).toEqual({ take: 1 });
        expect(chooseSlot([slot(500, 3), slot(40, 2)])).toEqual({ take: 0 });
        expect(chooseSlot([slot(0, 0)])).toEqual({ take: 0 });
    });

    it("a sibling still generating lends its prompt when no free slot holds as much", () => {
        expect(chooseSlot([slot(0, 0), slot(0, 0)], [slot(3000, 2419)])).toEqual({
            take: 0,
            copyFrom: { busy: true, index: 0 },
            copyTokens: 2419,
        });
        // A free slot within minCopyTokens of it is as good (here in place: it is the oldest, no slot is empty).
        expect(chooseSlot([slot(2500, 2419 - minCopyTokens + 1)], [slot(3000, 2419)])).toEqual({ take: 0 });
        // The longest busy prefix; a request's own next turn stays in place.
        expect(chooseSlot([slot(0, 0)], [slot(300, 100), slot(3000, 2419)]).copyFrom).toEqual({
            busy: true,
            index: 1,
        });
        expect(chooseSlot([slot(3441, 3430)], [slot(3000, 2419)])).toEqual({ take: 0 });
    });

    it("property: reuses within minCopyTokens of the best prefix, erasing only an empty, the oldest, or a nearly kept cache", () => {
        const cache = fc
            .tuple(
                fc.nat(5000),
                fc.double({ min: 0, max: 1, noNaN: true }),
                fc.double({ min: 0, max: 1, noNaN: true }),
            )
            .map(([held, share, promptShare]) => ({
                ...slot(held, Math.floor(held * share)),
                prompt: Math.floor(held * promptShare),
            }));
        fc.assert(
            fc.property(
                fc.array(cache, { minLength: 1, maxLength: 8 }),
                fc.array(cache, { maxLength: 4 }),
                (free, busy) => {
                    const choice = chooseSlot(free, busy);
                    expect(choice.take).toBeGreaterThanOrEqual(0);
                    expect(choice.take).toBeLessThan(free.length);
                    const best = Math.max(...free.map((s) => s.common), ...busy.map((s) => s.common));
                    const taken = free[choice.take]!;
                    let reuse = taken.common;
                    if (choice.copyFrom !== undefined) {
                        const { busy: fromBusy, index } = choice.copyFrom;
                        if (!fromBusy) expect(index).not.toBe(choice.take);
                        expect(choice.copyTokens).toBe((fromBusy ? busy : free)[index]!.common);
                        expect(choice.copyTokens).toBeGreaterThanOrEqual(minCopyTokens);
                        reuse = choice.copyTokens!;
                    }
                    expect(reuse).toBeGreaterThan(best - minCopyTokens);
                    const nearlyKept =
                        taken.common > 0 &&
                        ((taken.held - taken.common) * 4 <= taken.common ||
                            (taken.prompt > 0 && taken.common + 1 >= taken.prompt));
                    const mostlyKept = best < minCopyTokens && taken.common === best && best * 2 > taken.held;
                    expect(taken.held === 0 || choice.take === 0 || nearlyKept || mostlyKept).toBe(true);
                },
            ),
        );
    });
});
