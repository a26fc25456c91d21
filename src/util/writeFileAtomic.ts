/**
 * Writes a file so that readers see either the old content or the new, never a torn write: the body
 * goes to a uniquely named temporary file beside the target (same directory, so the same filesystem),
 * then is renamed over it. Several processes may write the same path at once; the last rename wins.
 * On failure the temporary file is removed and the error is thrown.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export async function writeFileAtomic(path: string, body: string): Promise<void> {
    const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(temp, body);
        await rename(temp, path);
    } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
    }
}
