import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './helm.js';
import { modelModule, type K8sObject } from './manifests.js';

/**
 * Strict unknown-field check. The kubernetes-models validators accept unknown fields (the
 * API server would drop them silently, or reject them under `--validate=strict`). Their .d.ts
 * interfaces, generated from the same OpenAPI schemas, list every known field, so each object is
 * written out as a fresh object literal typed with its interface and handed to the TypeScript
 * checker: excess-property checking then flags every unknown key at any depth, and type errors
 * (a string where a number belongs) come along. Free-form maps (labels, trigger metadata) are
 * index signatures and accept any key, as the API server does.
 */
export interface StrictProblem {
  object: string;
  message: string;
}

const VIRTUAL = join(REPO_ROOT, 'test', 'chart', '__strict_manifests__.ts');

export function strictCheck(objects: K8sObject[]): StrictProblem[] {
  const lines: string[] = [];
  const owners: { from: number; to: number; name: string }[] = [];
  objects.forEach((obj, i) => {
    lines.push(`import type { I${obj.kind} as T${i} } from ${JSON.stringify(modelModule(obj.apiVersion, obj.kind))};`);
  });
  objects.forEach((obj, i) => {
    const body = JSON.stringify(obj, null, 1).split('\n');
    const from = lines.length;
    lines.push(`export const o${i}: T${i} = ${body[0]}`, ...body.slice(1));
    lines[lines.length - 1] += ';';
    owners.push({ from, to: lines.length - 1, name: `${obj.kind}/${obj.metadata?.name ?? '?'}` });
  });
  const source = lines.join('\n');

  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) =>
    fileName === VIRTUAL ? ts.createSourceFile(fileName, source, languageVersion, true) : getSourceFile(fileName, languageVersion, onError, shouldCreate);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (fileName) => fileName === VIRTUAL || fileExists(fileName);
  const readFile = host.readFile.bind(host);
  host.readFile = (fileName) => (fileName === VIRTUAL ? source : readFile(fileName));

  const program = ts.createProgram([VIRTUAL], options, host);
  const file = program.getSourceFile(VIRTUAL);
  if (!file) throw new Error('strict check: virtual source missing');
  const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  return diagnostics.map((d) => {
    const line = d.start === undefined ? -1 : file.getLineAndCharacterOfPosition(d.start).line;
    const owner = owners.find((o) => line >= o.from && line <= o.to);
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    const path = line >= 0 ? (source.split('\n')[line] ?? '').trim() : '';
    return { object: owner?.name ?? 'imports', message: `${text} (at: ${path.slice(0, 120)})` };
  });
}

/** Reads a file relative to the repo root (for tests). */
export const readRepoFile = (path: string): string => readFileSync(join(REPO_ROOT, path), 'utf8');
