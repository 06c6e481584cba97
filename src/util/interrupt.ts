/**
 * What a one-shot command must undo when it is stopped (Ctrl-C, SIGTERM): the build lock it holds and the tool
 * processes (GHDL, yosys) it started in their own process groups. Each registers an undo while it lasts; the
 * signal handlers exit with 130 / 143 and the undos run on the way out (process 'exit', synchronously).
 */
const undos = new Set<() => void>();

/** Registers `undo` until the returned function is called. */
export function onInterrupt(undo: () => void): () => void {
  undos.add(undo);
  return () => void undos.delete(undo);
}

function runUndos(): void {
  for (const undo of [...undos]) {
    try {
      undo();
    } catch {
      /* best effort on the way out */
    }
  }
  undos.clear();
}

let installed = false;
/** Ctrl-C and SIGTERM end the process (exit 130, 143) after the registered undos. */
export function exitOnInterrupt(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runUndos);
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nkiln: stopped (${signal})\n`);
      process.exit(code);
    });
  }
}
