/** Tiny argv helpers shared by the bench scripts. */
const args = process.argv.slice(2);

export function option(name: string, fallback: string): string {
    const i = args.indexOf(name);
    return i >= 0 && i + 1 < args.length ? args[i + 1]! : fallback;
}

export function flag(name: string): boolean {
    return args.includes(name);
}
