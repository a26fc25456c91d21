// Completes package-lock.json with the other platforms' optional prebuilt packages (node-llama-cpp's and
// rollup's binaries for macOS, Windows, musl, riscv...). The registry mirror of our build machines lacks
// them, so `npm install` here leaves them out of the lockfile and `npm ci` then refuses the lockfile as
// out of sync with package.json. An entry with the right os/cpu/libc lets `npm ci` validate the lockfile
// and skip the package on every platform it is not for, without fetching it.
//   node .ci/complete-lockfile.mjs   (after any `npm install` that rewrote the lockfile)
import { readFileSync, writeFileSync } from "node:fs";

const lockPath = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, "utf8"));
const packages = lock.packages;

function platformOf(name) {
    const id = name.split("/")[1];
    const os = /darwin|mac/.test(id)
        ? "darwin"
        : /win32|win-/.test(id)
          ? "win32"
          : /android/.test(id)
            ? "android"
            : /freebsd/.test(id)
              ? "freebsd"
              : /openbsd/.test(id)
                ? "openbsd"
                : /openharmony/.test(id)
                  ? "openharmony"
                  : "linux";
    const cpu = /arm64|aarch64/.test(id)
        ? "arm64"
        : /armv7|arm-|armv7l|-arm$|arm-gnueabihf|arm-musleabihf|arm-eabi/.test(id)
          ? "arm"
          : /riscv64/.test(id)
            ? "riscv64"
            : /loong64/.test(id)
              ? "loong64"
              : /ppc64/.test(id)
                ? "ppc64"
                : /s390x/.test(id)
                  ? "s390x"
                  : /ia32/.test(id)
                    ? "ia32"
                    : "x64";
    const libc = os !== "linux" ? undefined : /musl/.test(id) ? "musl" : "glibc";
    return { os, cpu, libc };
}

let added = 0;
for (const [path, meta] of Object.entries(packages)) {
    const optional = meta.optionalDependencies ?? {};
    for (const [dep, spec] of Object.entries(optional)) {
        const key = `node_modules/${dep}`;
        if (packages[key] || !/^(@node-llama-cpp|@rollup)\//.test(dep)) continue;
        const version = spec.replace(/^[\^~=]/, "");
        const { os, cpu, libc } = platformOf(dep);
        packages[key] = {
            version,
            cpu: [cpu],
            ...(packages[path]?.dev ? { dev: true } : {}),
            ...(libc ? { libc: [libc] } : {}),
            optional: true,
            os: [os],
        };
        added++;
    }
}
lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync(lockPath, JSON.stringify(lock, null, 2) + "\n");
console.log(`added ${added} platform entries to package-lock.json`);
