import type { Request, Response } from 'express';
import multer from 'multer';
import { AppError, ValidationError } from '../errors.js';
import { cleanFileName, safeFileName, sniffFile } from '../features/intake/file-type.js';
import type { UploadedFile } from '../features/catalog/document.service.js';

/** Multer with our limits: one `file` held in memory up to the upload limit (413 beyond it). */
function createUploadReceiver(maxUploadBytes: number) {
  const upload = multer({
    storage: multer.memoryStorage(),
    // Browsers send the raw UTF-8 name without a charset parameter.
    defParamCharset: 'utf8',
    limits: { fileSize: maxUploadBytes, files: 1, fields: 5, fieldSize: 8 * 1024 * 1024, parts: 8 },
  }).single('file');
  return (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => {
      upload(req, res, (error: unknown) => {
        if (!error) return resolve();
        if (error instanceof multer.MulterError) {
          if (error.code === 'LIMIT_FILE_SIZE') {
            return reject(new AppError(413, 'payload_too_large', `文件超过大小上限 ${Math.round(maxUploadBytes / 1048576)} MB`));
          }
          return reject(new ValidationError(`上传内容有误：${error.field ? `字段 ${error.field} ` : ''}不符合要求`));
        }
        reject(new ValidationError('上传内容无法解析'));
      });
    });
}

/**
 * Reads a multipart request that carries only a `file` (an import: the file is the whole input) and
 * returns its name and bytes; the caller judges the bytes.
 */
/** Reads the one uploaded `file` of an import request (CSV/XLSX), within the upload limit. */
export type FileReader = ReturnType<typeof createFileReader>;

export function createFileReader(maxUploadBytes: number) {
  const receive = createUploadReceiver(maxUploadBytes);
  return async (req: Request, res: Response): Promise<{ name: string; bytes: Buffer }> => {
    if (!req.is('multipart/form-data')) {
      throw new AppError(415, 'unsupported_media_type', '请以 multipart/form-data 方式上传，文件放在 file 字段');
    }
    await receive(req, res);
    if (!req.file) throw new ValidationError('缺少上传的文件（file 字段）', { file: '必填' });
    const name = cleanFileName(req.file.originalname);
    return { name, bytes: req.file.buffer };
  };
}

/**
 * Reads a multipart request (a `file` and a JSON `metadata` field) into memory within the size limit.
 * The parsed metadata is returned as the body; without one, the plain form fields are (`role` of an
 * attachment). The file, typed by its bytes, goes to res.locals.file. A JSON request passes through.
 */
export function createMultipartReader(maxUploadBytes: number) {
  const receive = createUploadReceiver(maxUploadBytes);

  return async (req: Request, res: Response): Promise<unknown> => {
    if (!req.is('multipart/form-data')) return req.body;
    await receive(req, res);
    const { metadata: raw, ...fields } = (req.body ?? {}) as Record<string, unknown>;
    let metadata: unknown = fields;
    if (raw !== undefined) {
      if (typeof raw !== 'string') throw new ValidationError('metadata 字段应为 JSON 文本', { metadata: '应为 JSON 文本' });
      try {
        metadata = JSON.parse(raw);
      } catch {
        throw new ValidationError('metadata 不是合法的 JSON', { metadata: '不是合法的 JSON' });
      }
    } else if (!req.file && Object.keys(fields).length === 0) {
      throw new ValidationError('缺少 metadata 字段（文件信息的 JSON）', { metadata: '必填' });
    }
    const file = req.file;
    if (file) {
      const sniffed = await sniffFile(file.buffer);
      const uploaded: UploadedFile = {
        name: safeFileName(file.originalname, sniffed.extension),
        kind: sniffed.kind,
        type: sniffed.mime,
        encoding: sniffed.encoding,
        bytes: file.buffer,
      };
      res.locals['file'] = uploaded;
    }
    return metadata;
  };
}
