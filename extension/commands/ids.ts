// Every command the extension registers; a unit test checks this list against package.json.
export const COMMAND_IDS = [
  'torbit.showStatus',
  'torbit.showLogs',
  'torbit.restartBackend',
  'torbit.openChat',
  'torbit.revealDataDir',
  'torbit.setApiKey',
  'torbit.newSession',
  'torbit.stopRun',
  'torbit.openSettings',
  'torbit.exportAuditBundle',
  'torbit.approval.approve',
  'torbit.approval.reject',
  'torbit.approval.diff',
  'torbit.approval.approveAllInFile',
  'torbit.approval.review',
] as const;
export type CommandId = (typeof COMMAND_IDS)[number];
