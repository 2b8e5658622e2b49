// THE contract between the extension, the backend and the webviews. Depends on zod only.
export * from './define';
export * from './status';
export * from './chat';
export * from './instructions';
export * from './governance';
export * from './approvals';
export * from './approvalWords';
export * from './checkpoints';
export * from './review';
export * as rpc from './requests';
export * from './init';
export * from './webview';
export * from './eas';
export * from './runs';
export * from './slashCommands';
export * from './skills';
