/** Syscall name → number from the generated tables: names in number order, `-` for a gap. */
export function syscallTable(namesByNumber: string): ReadonlyMap<string, number> {
  const table = new Map<string, number>();
  namesByNumber.trim().split(/\s+/).forEach((name, number) => {
    if (name !== '-') table.set(name, number);
  });
  return table;
}
