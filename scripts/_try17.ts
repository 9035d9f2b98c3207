import { createExtractorPool } from '../src/platform/extractor.js';
import { createExtractionService } from '../src/features/intake/extraction.service.js';
import { sniffFile } from '../src/features/intake/file-type.js';
import * as f from '../test/support/upload-fixtures.js';
const pool = createExtractorPool({ workers: 2 });
const ex = createExtractionService(pool);
const files: [string, Buffer][] = [
  ['doc', f.wordBinaryFile(['静政发〔2023〕12号', '行政规范性文件合法性审核'])],
  ['wps', f.wordBinaryFile(['WPS 文字', '第二段'], { wps: true })],
  ['ofd', f.ofdFile([['静安区人民政府文件', '第一页'], ['第二页内容']])],
  ['scan', await f.scannedTextPdf([f.RED_HEAD_LINES])],
  ['tiff', (await f.scanImages([f.RED_HEAD_LINES], 'tiff'))[0]!],
];
for (const [name, bytes] of files) {
  const s = await sniffFile(bytes);
  const t0 = Date.now();
  try { const r = await ex.extract({ ...s, bytes }); console.log(name, s, Date.now() - t0, JSON.stringify(r)); }
  catch (e) { console.log(name, s, 'ERR', e); }
}
console.log(f.characterAccuracy(f.RED_HEAD_LINES.join(''), 'x'));
await pool.close();
