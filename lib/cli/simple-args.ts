// The fast path's parser for commands with a few plain flags (`pull`): yargs takes ~150 ms to load
// here, more than the rest of a small pull's CLI work. It accepts only what it fully understands
// and says undefined otherwise, so yargs stays the one voice for help, errors and suggestions.

export interface SimpleFlag {
  name: string;
  alias?: string;
  type: 'boolean' | 'string';
  describe: string;
}

export interface SimpleArgs {
  flags: Record<string, string | boolean>;
  positionals: string[];
}

const BOOLEAN_VALUES: Record<string, boolean> = { true: true, false: false };

/** Parses `args` against `flags`, expecting exactly `positionalCount` positionals; undefined when in doubt. */
export function parseSimpleArgs(args: string[], flags: readonly SimpleFlag[], positionalCount: number): SimpleArgs | undefined {
  const parsed: SimpleArgs = { flags: {}, positionals: [] };
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--') {
      parsed.positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      parsed.positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const equals = arg.indexOf('=');
    const name = long ? arg.slice(2, equals < 0 ? undefined : equals) : arg.slice(1);
    const inline = long && equals >= 0 ? arg.slice(equals + 1) : undefined;
    const flag = flags.find((candidate) => (long ? candidate.name === name : candidate.alias === name));
    if (!flag) return undefined; // --help, -qv, unknown flags: yargs says what they mean
    if (flag.type === 'boolean') {
      const value = inline === undefined ? true : BOOLEAN_VALUES[inline];
      if (value === undefined) return undefined;
      parsed.flags[flag.name] = value;
    } else {
      const value = inline ?? args[++index];
      if (value === undefined) return undefined;
      parsed.flags[flag.name] = value;
    }
  }
  return parsed.positionals.length === positionalCount ? parsed : undefined;
}
