/**
 * The hand-written evaluation set (models/router/README.md, "Generalization to new wording"): 445 requests
 * written one by one and labelled by the rubric, apart from the template generator, in batches (families)
 * of one kind each. Evaluation data only: the build never reads it (training on it did not beat the
 * committed model on the independent set). One author wrote it after seeing the classifier's per-batch
 * figures, and added longButSmall.ts to cover long asks with small tasks, so it leans toward hard cases.
 */
import type { DatasetItem } from "../../../models/router/build/buildDataset.js";
import { editorSessions, opsSessions, pairSessions, panelSessions } from "./agentSessions2.js";
import { patchSessions, terminalSessions } from "./agentSessions.js";
import { moreSessions } from "./agentSessions3.js";
import { debugging } from "./debugging.js";
import { docsAndChat } from "./docsAndChat.js";
import { longAsks } from "./longAsks.js";
import { longButSmall } from "./longButSmall.js";
import { pastedCode } from "./pastedCode.js";
import { pastedCode2 } from "./pastedCode2.js";
import { terse } from "./terse.js";
import { tracesAndDiffs } from "./tracesAndDiffs.js";

export { handwrittenCategory } from "./corpus.js";

export const handwrittenSet: readonly DatasetItem[] = [
    ...terse,
    ...pastedCode,
    ...pastedCode2,
    ...tracesAndDiffs,
    ...longAsks,
    ...terminalSessions,
    ...patchSessions,
    ...editorSessions,
    ...panelSessions,
    ...pairSessions,
    ...opsSessions,
    ...moreSessions,
    ...docsAndChat,
    ...debugging,
    ...longButSmall,
];
