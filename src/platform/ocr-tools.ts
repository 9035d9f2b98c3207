import { spawnSync } from 'node:child_process';

/** The Debian packages OCR needs, as the README and the startup log name them. */
export const OCR_PACKAGES = 'tesseract-ocr tesseract-ocr-chi-sim poppler-utils';

let detected: boolean | undefined;

/**
 * Whether this machine can read scans: Tesseract with its Simplified Chinese model, and poppler's
 * pdfinfo/pdftoppm to render PDF pages. Asked once per process (a few milliseconds of spawning).
 */
export function ocrAvailable(): boolean {
  if (detected === undefined) {
    const langs = spawnSync('tesseract', ['--list-langs'], { encoding: 'utf8' });
    const poppler = ['pdfinfo', 'pdftoppm'].every((tool) => spawnSync(tool, ['-v']).error === undefined);
    detected = langs.status === 0 && /^chi_sim$/mu.test(langs.stdout) && poppler;
  }
  return detected;
}
