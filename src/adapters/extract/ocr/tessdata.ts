import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** Where tesseract.js reads `<lang>.traineddata[.gz]`: always a local directory, never a URL. */
export interface LangSource {
  langPath: string;
  gzip: boolean;
  /** Label for results: `npm:4.0.0_best_int` or the directory. */
  label: string;
  /**
   * Orientation and script detection data (`osd.traineddata`, gzipped or not): TESSDATA_DIR's when
   * it has one, else the @tesseract.js-data/osd package's. Absent, pages are read as they lie.
   */
  osdFile?: string | undefined;
  /** Removes the directory of links made for the npm packages. */
  dispose(): void;
}

export function splitLanguages(languages: string): string[] {
  return languages.split('+').filter((l) => l !== '');
}

/** The `4.0.0_best_int` data of an @tesseract.js-data package (LSTM, integer; osd is legacy only), if installed. */
function npmTraineddata(lang: string): string | undefined {
  try {
    const root = dirname(require.resolve(`@tesseract.js-data/${lang}/package.json`));
    const file = join(root, '4.0.0_best_int', `${lang}.traineddata.gz`);
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

/**
 * With TESSDATA_DIR: that directory, files under their plain name (a gzipped file under the plain
 * name is detected by tesseract.js). Without: the npm language packages, which live in one
 * directory per language, so a private directory of links gathers them for tesseract.js's single
 * `langPath`, made under `workDir` (TEMP_DIR). Throws a start-up error naming what is missing.
 */
export function resolveLangSource(languages: string, tessdataDir: string | undefined, workDir: string): LangSource {
  const langs = splitLanguages(languages);
  if (tessdataDir) {
    const missing = langs.filter((l) => !existsSync(join(tessdataDir, `${l}.traineddata`)));
    if (missing.length > 0) {
      throw new Error(
        `OCR_LANGUAGES=${languages}: no ${missing.map((l) => `${l}.traineddata`).join(', ')} in TESSDATA_DIR=${tessdataDir}`,
      );
    }
    const osd = join(tessdataDir, 'osd.traineddata');
    return { langPath: tessdataDir, gzip: false, label: tessdataDir, osdFile: existsSync(osd) ? osd : npmTraineddata('osd'), dispose: () => undefined };
  }
  const files = langs.map((l) => [l, npmTraineddata(l)] as const);
  const missing = files.filter(([, f]) => f === undefined).map(([l]) => l);
  if (missing.length > 0) {
    throw new Error(
      `OCR_LANGUAGES=${languages}: no language data for ${missing.join(', ')}; install ${missing.map((l) => `@tesseract.js-data/${l}`).join(' ')} or set TESSDATA_DIR`,
    );
  }
  // Under TEMP_DIR, the one directory the worker may write besides heartbeats (read-only root).
  mkdirSync(workDir, { recursive: true, mode: 0o700 });
  const dir = mkdtempSync(join(workDir, 'tessdata-'));
  for (const [lang, file] of files) symlinkSync(file!, join(dir, `${lang}.traineddata.gz`));
  return {
    langPath: dir,
    gzip: true,
    label: 'npm:4.0.0_best_int',
    osdFile: npmTraineddata('osd'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
