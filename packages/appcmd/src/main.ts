// appcmd: IIS's command line administration tool for poolhost. yargs hosts the entry; IIS's own
// slash syntax is parsed by src/syntax (yargs would read `/name:value` as positional words anyway).
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { runAppcmd } from './run-appcmd.js';

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (text += chunk));
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', reject);
  });
}

const argv = await yargs(hideBin(process.argv))
  .scriptName('appcmd')
  .parserConfiguration({ 'unknown-options-as-args': true, 'short-option-groups': false, 'camel-case-expansion': false, 'dot-notation': false })
  .help(false)
  .version(false)
  .strict(false)
  .parse();

const words = (argv._ as Array<string | number>).map(String);
process.exitCode = await runAppcmd(words, {
  env: process.env,
  cwd: process.cwd(),
  readStdin,
  write: (text) => process.stdout.write(text),
});
