/**
 * The GPU for bench and evaluation engines: TIERCEL_BENCH_GPU ("cuda", "vulkan", "metal" or "auto"), else
 * none. CPU by default so figures from the project's CPU machines stay comparable run to run; the GPU check
 * (native/gpu-check.sh → bench/gpuCheck.ts) sets it to run the same bench scripts on the GPU.
 */
const value = process.env.TIERCEL_BENCH_GPU ?? "false";
const choices = ["cuda", "vulkan", "metal", "auto"] as const;
if (value !== "false" && !(choices as readonly string[]).includes(value))
    throw new Error(`TIERCEL_BENCH_GPU must be one of false, ${choices.join(", ")}; got "${value}"`);

export const benchGpu: (typeof choices)[number] | false =
    value === "false" ? false : (value as (typeof choices)[number]);
