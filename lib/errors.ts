// One error type for everything the CLI reports: a cause the user can read and a remedy they can act on.
// The CLI prints `Error: <message>. <remedy>` on one line and exits with `exitCode`.

export const EXIT_TOOL = 125;

export interface RootlessErrorOptions {
  remedy?: string;
  exitCode?: number;
  cause?: unknown;
}

export class RootlessError extends Error {
  readonly remedy?: string;
  readonly exitCode: number;

  constructor(message: string, options: RootlessErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.name = 'RootlessError';
    this.remedy = options.remedy;
    this.exitCode = options.exitCode ?? EXIT_TOOL;
  }

  /** The single line the CLI prints. */
  get line(): string {
    const text = this.message.replace(/\s*\n\s*/g, ' ').replace(/\.$/, '');
    return this.remedy ? `${text}. ${this.remedy}` : text;
  }
}

/** Node's system errors (ENOENT…) carry `code`; this reads it without `any`. */
export function errnoCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
