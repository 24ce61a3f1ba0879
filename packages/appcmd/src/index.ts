export { runAppcmd, type AppcmdEnvironment } from './run-appcmd.js';
export { parseCommandLine, parseParameter, type CommandLine, type Parameter } from './syntax/command-line.js';
export { parsePropertyPath, type PathStep } from './syntax/property-path.js';
