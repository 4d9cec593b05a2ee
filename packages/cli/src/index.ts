export { integerOption, parseCommandLine, requiredOption } from './args.ts';
export { CLI_ERRORS, type CliErrorCode, isCodedError, UsageError } from './errors.ts';
export { fileProblem, isSystemError, unreadableReason } from './files.ts';
export { type ModelRef, parseModelRef } from './model-ref.ts';
export { artifactsRoot, displayPath } from './paths.ts';
export { EXIT, logToStderr, printHelp, runCli } from './run.ts';
