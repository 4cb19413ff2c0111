// dist/ is rebuilt from scratch: tsc never deletes the output of a source file that moved or went,
// and dist/ must hold exactly what src/ compiles to (no dev stack, no bench code).
import { rmSync } from 'node:fs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
