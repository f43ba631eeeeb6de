// The flag parser of the commands that take a command line of their own after their operand
// (`run IMAGE CMD…`, `exec CONTAINER CMD…`): Docker's syntax, and parsing stops at the operand so
// `rootless run alpine ls -l` passes `-l` to ls. One flag table per command feeds both this parser
// and the yargs module, which only serves --help (loading yargs costs more than a container start).
import { RootlessError } from '../errors.js';

export interface CommandFlag<Options> {
  name: string;
  key: keyof Options & string;
  alias?: string;
  type: 'boolean' | 'string' | 'array';
  choices?: readonly string[];
  describe: string;
}

/** True when the arguments before the operand ask for help (then yargs prints it). */
export function wantsHelp(args: string[]): boolean {
  for (const arg of args) {
    if (arg === '--help' || arg === '-h') return true;
    if (!arg.startsWith('-') || arg === '--') return false;
  }
  return false;
}

/**
 * Parses the flags at the start of `args` into `options` (which holds the defaults; array flags
 * append to its arrays) and returns the index of the operand. `command` names the command in errors.
 */
export function parseFlags<Options>(args: string[], flags: readonly CommandFlag<Options>[], options: Record<string, unknown>, command: string): number {
  const usageError = (message: string) => new RootlessError(message, { remedy: `See \`rootless ${command} --help\`` });
  const findFlag = (name: string, long: boolean) => {
    const flag = flags.find((candidate) => (long ? candidate.name === name || candidate.alias === name : candidate.alias === name));
    if (!flag) throw usageError(`unknown flag: ${long ? '--' : '-'}${name}`);
    return flag;
  };
  const setFlag = (flag: CommandFlag<Options>, value: string | boolean) => {
    if (flag.type === 'array') (options[flag.key] as string[]).push(String(value));
    else if (flag.choices && !flag.choices.includes(String(value))) {
      throw usageError(`invalid value "${value}" for --${flag.name}: choose one of ${flag.choices.join(', ')}`);
    } else options[flag.key] = value;
  };
  const parseBoolean = (flag: CommandFlag<Options>, text: string) => {
    if (text === 'true') return true;
    if (text === 'false') return false;
    throw usageError(`invalid value "${text}" for --${flag.name}: use true or false`);
  };
  let index = 0;
  const takeValue = (flag: CommandFlag<Options>, inline: string | undefined): string => {
    if (inline !== undefined) return inline;
    index += 1;
    if (index >= args.length) throw usageError(`flag --${flag.name} needs a value`);
    return args[index]!;
  };
  for (; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--') return index + 1;
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg.startsWith('--')) {
      const equals = arg.indexOf('=');
      const name = equals < 0 ? arg.slice(2) : arg.slice(2, equals);
      const inline = equals < 0 ? undefined : arg.slice(equals + 1);
      const flag = findFlag(name, true);
      setFlag(flag, flag.type === 'boolean' ? inline === undefined || parseBoolean(flag, inline) : takeValue(flag, inline));
      continue;
    }
    // a cluster of short flags: -it, -eKEY=VALUE, -e KEY=VALUE
    for (let position = 1; position < arg.length; position += 1) {
      const flag = findFlag(arg[position]!, false);
      if (flag.type === 'boolean') {
        setFlag(flag, true);
        continue;
      }
      const rest = arg.slice(position + 1);
      setFlag(flag, takeValue(flag, rest === '' ? undefined : rest));
      break;
    }
  }
  return index;
}
