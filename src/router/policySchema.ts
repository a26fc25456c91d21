/**
 * The routing-policy part of the router config: rules and the policy that orders them. Shared by the
 * incumbent `policy`, a shadow candidate (`shadow.policy`) and a canary candidate
 * (`canary.candidate.policy`); same rules as config.ts (strict objects, named defaults).
 */
import { z } from "zod";

export const idSchema = z
    .string()
    .regex(
        /^[A-Za-z0-9][A-Za-z0-9_.-]*$/,
        "use letters, digits, '_', '.' and '-' (start with a letter or digit)",
    );

/** Conditions of a rule; all given conditions must hold (a list matches when any element does). */
const ruleWhenSchema = z
    .object({
        /** `hints.task_type` is one of these. */
        taskTypes: z.array(z.string().min(1)).min(1).optional(),
        /** `hints.tags` contains one of these. */
        tags: z.array(z.string().min(1)).min(1).optional(),
        /** The last user turn contains one of these words or phrases (case-insensitive, whole words). */
        keywords: z.array(z.string().min(1)).min(1).optional(),
        /** Estimated prompt tokens (characters / 4) at least this. */
        minContextTokens: z.number().int().min(0).optional(),
        /** Estimated prompt tokens at most this. */
        maxContextTokens: z.number().int().min(0).optional(),
        /** `hints.latency_budget_ms` is set and at most this. */
        maxLatencyBudgetMs: z.number().int().min(0).optional(),
        /** The request offers tools (true) or none (false). */
        hasTools: z.boolean().optional(),
        /** The conversation ends with at least this many failed tool results in a row (a stalled agent). */
        minToolErrorStreak: z.number().int().min(1).optional(),
        /** `hints.namespace` is one of these. */
        namespaces: z.array(z.string().min(1)).min(1).optional(),
    })
    .strict()
    .refine((w) => Object.values(w).some((v: unknown) => v !== undefined), {
        message: "a rule needs at least one condition (an always-true rule is `policy.defaultTier`)",
    });

export const ruleSchema = z
    .object({
        /** Rule name: the routing_reason is `rule:<name>` and it becomes a metrics label. */
        name: idSchema,
        /** Tier the rule sends matching requests to. */
        tier: idSchema,
        when: ruleWhenSchema,
    })
    .strict();

/**
 * A routing policy: the incumbent's `policy`, a shadow candidate's `shadow.policy` or a canary
 * candidate's `canary.candidate.policy` (optional there, so this object has no default of its own).
 */
export const policyObjectSchema = z
    .object({
        /** Tier when no rule (or classifier) decides. Defaults to the first (cheapest) tier. */
        defaultTier: idSchema.optional(),
        /** Rules in order; the first match decides. Defaults to none. */
        rules: z.array(ruleSchema).default([]),
        /**
         * The routing policy's version, on every routing record (`policy_version`) so cost and
         * quality can be compared per version. Defaults to `cfg-` + a hash of the routing config
         * (tiers, policy, classifier and the model it loaded; router/policyVersion.ts), which changes with any of them.
         */
        version: z.string().min(1).max(128).optional(),
    })
    .strict();

/** `policy` and `shadow.policy`: every field has a default, so the section may be left out. */
export const policySchema = policyObjectSchema.prefault({});
