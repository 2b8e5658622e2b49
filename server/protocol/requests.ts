// Every custom JSON-RPC request and notification between the extension and the backend.
// The backend also speaks the base protocol of vscode-languageserver (initialize, shutdown, exit).
import * as z from 'zod';
import { request } from './define';
import { Status } from './status';

const NoParams = z.object({}).strict().optional();

/** extension → server: the backend's version, pid, uptime, data directory and database state. */
export const status = request('torbit/status', 'extension', 'any', NoParams, Status);

export { chatSend, chatStop, chatEvent, sessionList, sessionGet, changeGet } from './chat';
export { policyGet, policyAccept, policyProposeRule, policyWriteRule, auditList, auditExport, auditBundles, auditVerify } from './governance';
export { approvalRequested, approvalResolved, approvalList, approvalGet, approvalDecide, allowanceList, allowanceRevoke, allowanceChanged } from './approvals';
export { reviewBundle, reviewRun, reviewFinish, reviewInstallGate, reviewShip, reviewShipProgress, reviewShipOutput } from './review';
export { easDiagnose, easProposeConfig, easWriteConfig } from './eas';
export { easStart, easBuilds, runList, runCancel, runLog, runChanged, runOutput } from './runs';
export { commandsList } from './slashCommands';
export { skillsList } from './skills';
export { checkpointList, checkpointCreate, checkpointPreview, checkpointRestore, checkpointForTurn, checkpointFile, checkpointChanged, replayTurn } from './checkpoints';
