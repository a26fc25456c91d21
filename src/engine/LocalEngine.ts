/**
 * The local inference engine: owns node-llama-cpp's Llama instance, the target model and every
 * compatible draft model, one context per model with `engine.sequences` sequences, and the slot
 * pool that leases them to requests. Knows nothing about gRPC or providers.
 */
import { getLlama, TokenBias, type Llama, type Token as LlamaToken } from "node-llama-cpp";
import type { Config } from "../config/schema.js";
import { defaultThreads } from "./defaultThreads.js";
import { statSync } from "node:fs";
import { tmpdir } from "node:os";
import { resolve } from "node:path";
import { specStateSaveIntervalMs } from "../config/defaults.js";
import { ErrorCode } from "../errors/codes.js";
import { ModelError, ServiceError } from "../errors/ServiceError.js";
import { SuffixPool } from "../speculative/SuffixPool.js";
import { createRandom } from "../speculative/createRandom.js";
import { SpeculationPolicy } from "../speculative/SpeculationPolicy.js";
import { taskSignature } from "../speculative/taskSignature.js";
import type { Token } from "../speculative/types.js";
import { silentLogger, type Logger } from "../util/logger.js";
import { ChatPrompts } from "./ChatPrompts.js";
import { buildSlots } from "./buildSlots.js";
import { infillRequestTokens } from "./infillRequestTokens.js";
import { estimateMemory, reportMemory } from "./memoryEstimate.js";
import { describeModels, type ModelInfo } from "./describeModels.js";
import { checkPromptBytes, longestTokenBytes, promptByteLimit } from "./promptByteLimit.js";
import { generate } from "./generate.js";
import { grammarTopK, largeVocabulary } from "./TargetChoice.js";
import { speculationControllerFor } from "./speculationControllerFor.js";
import { checkCacheScope, checkModel, resolveRequest, type ModelIds } from "./resolveRequest.js";
import { resolveTools } from "./resolveTools.js";
import { resolveModels, type LoadedModel, type ResolvedDraft, type ResolvedModel } from "./loadModels.js";
import { ResponseGrammars } from "./ResponseGrammars.js";
import { SequencePool } from "./SequencePool.js";
import { SpecStateStore } from "./SpecStateStore.js";
import { DraftModelProposer } from "./DraftModelProposer.js";
import { seedDraftCost } from "./seedDraftCost.js";
import { TranslatingDraftProposer } from "./TranslatingDraftProposer.js";
import { poolSamplers } from "./poolSamplers.js";
import { stepsFirstStrategy } from "./stepsFirstStrategy.js";
import { dispatchAfterMicrotasks } from "./PassBatcher.js";
import { seedVerifyCurve } from "./seedVerifyCurve.js";
import { seedHostCacheCosts } from "./seedHostCacheCosts.js";
import { Slot, type Donor } from "./Slot.js";
import { HostKvCache } from "./HostKvCache.js";
import type { HostCacheCosts } from "./HostCacheCosts.js";
import { prepareSlot, saveAhead } from "./prepareSlot.js";
import { TokenGrammar } from "./TokenGrammar.js";
import { toolCallChunks } from "./toolCallChunks.js";
import type { ChatMessage, GenerateChunk, GenerateRequest, ToolDefinition } from "./types.js";
import type { SlotUsage } from "../grpc/InferenceBackend.js";

export interface LocalEngineOptions {
    logger?: Logger;
    /** Random source of AUTO's exploration. Defaults to a randomly seeded generator. */
    random?: () => number;
    /** The host KV cache's cost figures (HostCacheCosts.ts). Defaults to measuring them; tests pin them. */
    hostCacheCosts?: HostCacheCosts;
    /** Load progress in [0, 1] across all models. */
    onProgress?: (progress: number, modelId: string) => void;
}

export type { ModelInfo } from "./describeModels.js";

/** What a draft model's warm-up drafting repeats (seedDraftCost.ts): a line of code, as drafts see. */
const draftSeedText = "    for (const item of items) total += item.price * item.quantity;\n";

export class LocalEngine {
    readonly #pool: SequencePool<Slot>;
    readonly #slots: readonly Slot[];
    readonly #grammars: ResponseGrammars;
    readonly #chat: ChatPrompts;
    /** Tokens a position lists under a grammar (`engine.grammarTopK` resolved; TargetChoice.ts). */
    readonly #grammarList: number;
    /**
     * Whether plain steps overlap the bookkeeping before them (GenerationPlan.overlap): `engine.overlapSteps`
     * resolved at load. A bench may switch it between requests (bench/e2e/overlapSteps.ts).
     */
    overlap: boolean;
    /** What AUTO has learned about acceptance and costs, shared by all requests. */
    readonly policy: SpeculationPolicy;
    /** UTF-8 bytes beyond which a prompt cannot fit the context (see promptByteLimit.ts). */
    readonly promptByteLimit: number;
    /** Earlier requests' tokens per session, for the suffix drafter (undefined when turned off). */
    readonly suffixPool: SuffixPool | undefined;
    #disposed = false;
    #saveTimer: NodeJS.Timeout | undefined;
    /** Conversations pushed out of every sequence (engine.hostCache; undefined when turned off). */
    #hostCache: HostKvCache | undefined;
    readonly #log: Logger;

    private constructor(
        readonly config: Config,
        readonly llama: Llama,
        readonly threads: number,
        readonly target: LoadedModel,
        readonly drafts: ReadonlyMap<string, LoadedModel & { resolved: ResolvedDraft }>,
        readonly refusedDrafts: readonly ResolvedDraft[],
        slots: Slot[],
        random: () => number,
        readonly stateStore: SpecStateStore | undefined,
        log: Logger,
    ) {
        this.#log = log;
        // TIERCEL_KV_UNIFIED=1 is what a native/ build's addon reads to create contexts with one KV stream
        // for all sequences (native/lib.sh): then a shared batch of mixed lengths is one pass. The
        // prebuilt binaries ignore it (per-sequence streams), so it is set only beside such a build.
        this.policy = new SpeculationPolicy(random, process.env.TIERCEL_KV_UNIFIED !== "1");
        const { model, context } = target;
        const longest = longestTokenBytes(target.resolved.vocab.tokens.length, (id) =>
            model.detokenize([id as LlamaToken], true),
        );
        this.promptByteLimit = promptByteLimit(context.contextSize, longest);
        const { suffix } = config.speculation;
        this.suffixPool =
            suffix.maxTokens > 0
                ? new SuffixPool({ maxTokens: suffix.maxTokens, keyN: suffix.keyN })
                : undefined;
        this.#slots = slots;
        this.#pool = new SequencePool(slots, config.engine.maxQueue);
        this.#grammars = new ResponseGrammars(llama);
        const { grammarTopK: list, overlapSteps } = config.engine;
        this.overlap = overlapSteps === "auto" ? model.gpuLayers > 0 : overlapSteps;
        this.#grammarList =
            list !== "auto" ? list : target.resolved.vocab.tokens.length > largeVocabulary ? grammarTopK : 0;
        this.#chat = new ChatPrompts(llama, model, (texts) => {
            checkPromptBytes(texts, this.promptByteLimit, context.contextSize, "messages");
        });
    }

    static async load(
        config: Config,
        baseDir: string,
        options: LocalEngineOptions = {},
    ): Promise<LocalEngine> {
        const log = options.logger ?? silentLogger;
        const resolved = await resolveModels(config, baseDir);
        for (const refused of resolved.refused) {
            log.warn("draft model refused: tokenizer incompatible with the target", {
                draft: refused.id,
                reasons: refused.compatibility.reasons.map((r) => `${r.rule}: ${r.message}`),
            });
        }
        const { engine } = config;
        const llama = await getLlama({ gpu: engine.gpu, build: "never", logLevel: "warn" as never });
        // One native sampler per evaluation call costs ~0.5 ms with a 150k-token vocabulary (poolSamplers.ts).
        if (!poolSamplers(llama))
            log.warn("node-llama-cpp's sampler class was not found where expected: samplers are not pooled");
        // The target's size on disk sizes the default thread count and fingerprints the speculation state.
        const targetBytes = statSync(resolved.target.path).size;
        const threads = engine.threads ?? defaultThreads(targetBytes, llama.cpuMathCores);
        const all = [resolved.target, ...resolved.drafts];
        // Sizes GPU offload for the real contextSize × sequences of every model (target first) and
        // refuses, with the figures, a set of models that does not fit this host.
        let memory;
        try {
            memory = await estimateMemory(llama, all, engine);
            reportMemory(memory, log);
        } catch (error) {
            await llama.dispose();
            throw error;
        }
        const loadOne = async (m: ResolvedModel, index: number): Promise<LoadedModel> => {
            const model = await llama.loadModel({
                modelPath: m.path,
                gpuLayers: memory.models[index]!.gpuLayers,
                onLoadProgress: (p) => options.onProgress?.((index + p) / all.length, m.id),
            });
            const context = await model.createContext({
                contextSize: engine.contextSize,
                sequences: engine.sequences,
                threads,
                batching: {
                    // Every context's passes start from a PassBatcher's flush (buildSlots.ts).
                    dispatchSchedule: dispatchAfterMicrotasks,
                    // The target's batches mix prompt passes with decoding steps; drafts' passes are all short.
                    ...(index === 0 &&
                        engine.batchOrder === "steps-first" && {
                            itemPrioritizationStrategy: stepsFirstStrategy(
                                config.speculation.maxDraftTokens + 1,
                            ),
                        }),
                },
            });
            return { resolved: m, model, context };
        };
        let target: LoadedModel | undefined;
        const drafts = new Map<string, LoadedModel & { resolved: ResolvedDraft }>();
        try {
            target = await loadOne(resolved.target, 0);
            for (const [i, d] of resolved.drafts.entries()) {
                drafts.set(d.id, { ...(await loadOne(d, i + 1)), resolved: d });
            }
        } catch (cause) {
            await Promise.allSettled([
                target?.model.dispose(),
                ...[...drafts.values()].map((d) => d.model.dispose()),
            ]);
            throw new ModelError(
                ErrorCode.ModelUnavailable,
                `failed to load models: ${(cause as Error).message}`,
                { cause },
            );
        }
        const slots = buildSlots(engine.sequences, target, drafts, config.speculation);
        log.info("models loaded", {
            target: target.resolved.id,
            drafts: [...drafts.keys()],
            threads,
            gpu: llama.gpu,
        });
        const random = options.random ?? createRandom(undefined);
        const { stateFile } = config.speculation;
        const store =
            stateFile === null
                ? undefined
                : new SpecStateStore(
                      resolve(baseDir, stateFile),
                      `${target.resolved.id}:${targetBytes}`,
                      log,
                  );
        const local = new LocalEngine(
            config,
            llama,
            threads,
            target,
            drafts,
            resolved.refused,
            slots,
            random,
            store,
            log,
        );
        // Timed passes of every length a verification step can have seed AUTO's verify curve, and timed
        // drafting passes each draft model's cost. Then the host KV cache, its costs seeded by timed passes too.
        const { hostCache } = engine;
        try {
            const bos = (target.model.tokens.bos ?? 0) as LlamaToken;
            await seedVerifyCurve(
                slots[0]!.target,
                local.policy.costs,
                config.speculation.maxDraftTokens + 1,
                bos,
            );
            const line = target.model.tokenize(draftSeedText) as Token[];
            for (const [id, drafter] of slots[0]!.drafters) {
                const draft = drafter instanceof TranslatingDraftProposer ? drafter.inner : drafter;
                if (draft instanceof DraftModelProposer)
                    await seedDraftCost(drafter, draft, slots[0]!.target, local.policy.costs, id, line);
            }
            if (engine.prefixReuse && hostCache.maxBytes > 0) {
                const dir = hostCache.dir ?? tmpdir();
                const cache = await HostKvCache.create({ ...hostCache, dir }, options.hostCacheCosts);
                local.#hostCache = cache;
                await seedHostCacheCosts(slots[0]!.target, cache, bos, hostCache.minTokens);
                for (const slot of slots) slot.onPromptPass = cache.costs.observePromptPass.bind(cache.costs);
                log.info("host KV cache", { path: cache.path, maxBytes: hostCache.maxBytes });
            }
        } catch (cause) {
            await local.#hostCache?.dispose();
            await llama.dispose();
            throw cause;
        }
        if (store) {
            if (await store.load(local.policy)) log.info("speculation state loaded", { path: store.path });
            local.#saveTimer = setInterval(() => void store.save(local.policy), specStateSaveIntervalMs);
            local.#saveTimer.unref();
        }
        return local;
    }

    /** Slots in use and requests waiting for one (for metrics and health). */
    get slotUsage(): SlotUsage {
        const pool = this.#pool;
        const hostCache = this.#hostCache?.usage;
        return { inUse: pool.inUse, queued: pool.queued, size: pool.size, ...(hostCache && { hostCache }) };
    }

    models(): ModelInfo[] {
        return describeModels(this.target, this.drafts, this.refusedDrafts);
    }

    /** Throws E_MODEL_NOT_FOUND unless `model` is unset, empty or the target's id (resolveRequest.ts). */
    checkModel(model: string | undefined): void {
        checkModel(model, this.#modelIds());
    }

    #modelIds(): ModelIds {
        return {
            targetId: this.target.resolved.id,
            drafts: [...this.drafts.keys()],
            refusedDrafts: this.refusedDrafts.map((d) => ({
                id: d.id,
                rules: d.compatibility.reasons.map((r) => r.rule),
            })),
        };
    }

    /**
     * Tokenizes with the target's tokenizer (special tokens parsed, BOS added when the model wants it).
     * Text that cannot fit the context is refused before tokenizing (E_CONTEXT_OVERFLOW).
     */
    tokenize(text: string, what = "text"): Token[] {
        checkPromptBytes([text], this.promptByteLimit, this.target.context.contextSize, what);
        return this.#tokenize(text);
    }

    #tokenize(text: string): Token[] {
        const { model } = this.target;
        const tokens: Token[] = model.tokenize(text, true);
        const bos = model.tokens.bos;
        if (model.tokens.shouldPrependBosToken && bos !== null && tokens[0] !== bos) tokens.unshift(bos);
        return tokens;
    }

    /**
     * Chat messages (and tools, checked as Generate checks them) rendered and tokenized as a chat prompt;
     * long runs remembered per `cacheScope` (GenerateRequest.cacheScope).
     */
    tokenizeChat(
        messages: readonly ChatMessage[],
        tools: readonly ToolDefinition[] = [],
        cacheScope = "",
    ): Token[] {
        checkCacheScope(cacheScope);
        const resolved = resolveTools({ messages: [...messages], tools });
        return this.#chat.render(messages, resolved?.tools, cacheScope).tokens;
    }

    detokenize(tokens: readonly Token[]): string {
        return this.target.model.detokenize(tokens as LlamaToken[]);
    }

    /**
     * Generates for one request. Validation errors are thrown before a slot is leased; the slot is
     * released (and its KV state left consistent) however the iteration ends: completion, error,
     * abort, or the consumer stopping early.
     */
    async *generate(request: GenerateRequest, signal?: AbortSignal): AsyncGenerator<GenerateChunk> {
        if (this.#disposed)
            throw new ServiceError(ErrorCode.NotReady, "engine is disposed", { retryable: true });
        const queuedAt = performance.now();
        // Chat: the rendered messages are the prompt; with tools, calls are parsed out of the output.
        const chat = await this.#chat.prepare(request);
        const prepared = this.#prepare(
            chat
                ? { ...request, prompt: chat.tokens, stop: [...(request.stop ?? []), ...chat.stop] }
                : request,
        );
        const grammar =
            chat?.grammar ?? (request.responseFormat && (await this.#grammars.get(request.responseFormat)));
        // Special tokens are shown in the text of tool requests: a call's syntax may be made of them.
        const special = chat?.calls !== undefined;
        const reuse = this.config.engine.prefixReuse;
        const scope = request.cacheScope ?? "";
        // The slot to take, and a slot whose cached prefix to copy into it first (chooseSlot.ts).
        let donor: Donor | undefined;
        const lease = await this.#pool.acquire(
            signal,
            reuse
                ? (free) => {
                      const choice = Slot.choose(free, this.#slots, prepared.promptTokens, scope);
                      donor = choice.donor;
                      return choice.take;
                  }
                : undefined,
        );
        const slot = lease.slot;
        const startedAt = performance.now();
        const controller = speculationControllerFor(
            { ...prepared, sessionId: request.sessionId, cacheScope: scope },
            slot,
            {
                policy: this.policy,
                speculation: this.config.speculation,
                suffixPool: this.suffixPool,
            },
        );
        // Whether the slot's KV cache and its bookkeeping agree. They do at every yield of generate(): a
        // chunk is yielded between target passes, or with a plain pass in flight that generate() lets end
        // and records when its consumer stops (generate.ts, "Overlap"). A consumer that stops there (the
        // gRPC handlers return at the final chunk) leaves a cache the next request can reuse; an error
        // thrown mid-step may not.
        let clean = false;
        slot.submitsPasses(true);
        try {
            const ready = await prepareSlot(
                slot,
                { prompt: prepared.promptTokens, scope, ...(donor && { donor }) },
                // Made only with prefixReuse on (load).
                this.#hostCache,
                signal,
                this.#log,
            );
            const chunks = generate(
                {
                    ...prepared,
                    slot,
                    controller,
                    contextSize: this.target.context.contextSize,
                    reusePrefix: reuse && ready.reusable,
                    copiedPrefix: ready.copied,
                    restoredPrefix: ready.restored,
                    confidence: request.returnConfidence === true,
                    tokenBias: prepared.sampling.logitBias && this.#tokenBias(prepared.sampling.logitBias),
                    grammar: grammar && TokenGrammar.start(this.llama, this.target.model, grammar),
                    isEog: (t) => this.target.model.isEogToken(t as LlamaToken),
                    detokenize: (tokens, last) =>
                        this.target.model.detokenize(tokens as LlamaToken[], special, last as LlamaToken[]),
                    queuedAt,
                    startedAt,
                    othersRunning: this.#pool.inUse - 1,
                    grammarList: this.#grammarList,
                    overlap: this.overlap,
                },
                signal,
            );
            for await (const chunk of chat?.calls ? toolCallChunks(chunks, chat.calls) : chunks) {
                clean = true;
                yield chunk;
                clean = false;
            }
            clean = true;
        } finally {
            // An error mid-step may leave KV state and bookkeeping apart: start the next request clean.
            if (!clean) await slot.reuseTargetPrefix([], false).catch(() => undefined);
            slot.submitsPasses(false);
            lease.release();
            // The engine idle: the next slot to be taken over saves its conversation now (prepareSlot.ts).
            if (this.#hostCache && this.#pool.inUse === 0)
                saveAhead(this.#pool.free, slot, this.#hostCache, this.#log);
        }
    }

    /** Shutdown: refuses queued and new requests at once (E_NOT_READY); running ones keep their sequences. */
    drain(): void {
        this.#pool.close();
    }

    async dispose(): Promise<void> {
        if (this.#disposed) return;
        this.#disposed = true;
        clearInterval(this.#saveTimer);
        await this.stateStore?.save(this.policy);
        this.#pool.close();
        // A released request's draft prefill may still run its last chunk (DraftModelProposer.release), and
        // a free slot's save to the host cache its write.
        await Promise.all(
            this.#slots.flatMap((slot) => [
                slot.saving ?? Promise.resolve(),
                ...[...slot.drafters.values()].map((d) => d.idle?.() ?? Promise.resolve()),
            ]),
        );
        // Before the contexts go: a save cannot start on a disposed cache (it refuses).
        await this.#hostCache?.dispose();
        await this.llama.dispose();
    }

    #prepare(request: GenerateRequest) {
        const { config, target } = this;
        const resolved = resolveRequest(request, {
            ...this.#modelIds(),
            contextSize: target.context.contextSize,
            vocabSize: target.resolved.vocab.tokens.length,
            promptByteLimit: this.promptByteLimit,
            defaultMaxTokens: config.generation.defaultMaxTokens,
            defaultMode: config.speculation.defaultMode,
            maxDraftTokens: config.speculation.maxDraftTokens,
            suffixDrafting: this.suffixPool !== undefined,
            isEog: (token) => this.target.model.isEogToken(token as LlamaToken),
            infillTokens: (infill) =>
                infillRequestTokens(target.model, target.resolved.id, infill, (texts) => {
                    checkPromptBytes(
                        texts,
                        this.promptByteLimit,
                        target.context.contextSize,
                        "prompt, suffix and extra_context",
                    );
                }),
            tokenize: (text) => this.#tokenize(text),
        });
        const text =
            typeof request.prompt === "string" ? request.prompt : this.detokenize(resolved.promptTokens);
        return {
            ...resolved,
            signature: taskSignature(resolved.promptTokens, text, resolved.sampling.temperature),
        };
    }

    /** node-llama-cpp's form of a request's logit bias (raw logit offsets). */
    #tokenBias(bias: ReadonlyMap<Token, number>): TokenBias {
        const tokenBias = TokenBias.for(this.target.model);
        for (const [token, logit] of bias) tokenBias.set(token as LlamaToken, { logit });
        return tokenBias;
    }
}
