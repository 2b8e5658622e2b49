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
  'torbit.checkpoint.create',
  'torbit.checkpoint.restore',
  'torbit.checkpoint.diff',
  'torbit.checkpoint.restoreTurn',
  'torbit.replayTurn',
] as const;
export type CommandId = (typeof COMMAND_IDS)[number];
