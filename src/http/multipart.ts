import type { Request, Response } from 'express';
import multer from 'multer';
import { AppError, ValidationError } from '../errors.js';
import { FILE_TYPES, sniffFileType } from '../services/file-type.js';
import type { UploadedFile } from '../services/document.service.js';

/**
 * Reads a multipart request (a `file` and a JSON `metadata` field) into memory within the size limit.
 * The parsed metadata is returned as the body; the file, typed by its bytes, goes to res.locals.file.
 * A JSON request passes through unchanged.
 */
export function createMultipartReader(maxUploadBytes: number) {
  const upload = multer({
    storage: multer.memoryStorage(),
    // Browsers send the raw UTF-8 name without a charset parameter.
    defParamCharset: 'utf8',
    limits: { fileSize: maxUploadBytes, files: 1, fields: 5, fieldSize: 8 * 1024 * 1024, parts: 8 },
  }).single('file');

  return async (req: Request, res: Response): Promise<unknown> => {
    if (!req.is('multipart/form-data')) return req.body;
    await new Promise<void>((resolve, reject) => {
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
    const raw = (req.body as Record<string, unknown> | undefined)?.['metadata'];
    if (typeof raw !== 'string') throw new ValidationError('缺少 metadata 字段（文件信息的 JSON）', { metadata: '必填' });
    let metadata: unknown;
    try {
      metadata = JSON.parse(raw);
    } catch {
      throw new ValidationError('metadata 不是合法的 JSON', { metadata: '不是合法的 JSON' });
    }
    const file = req.file;
    if (file) {
      const type = sniffFileType(file.buffer);
      if (!type) throw new AppError(415, 'unsupported_media_type', '只支持 PDF、DOCX 和 UTF-8 纯文本文件');
      const uploaded: UploadedFile = {
        name: safeFileName(file.originalname, type),
        type: FILE_TYPES[type],
        bytes: file.buffer,
        textLayer: type === 'text',
      };
      res.locals['file'] = uploaded;
    }
    return metadata;
  };
}

/** Keeps the Chinese name; drops any path and characters that break headers or file systems. */
export function safeFileName(original: string, type: keyof typeof FILE_TYPES): string {
  const base = original.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '').trim().slice(0, 200);
  const extension = type === 'text' ? '.txt' : `.${type}`;
  const name = cleaned || '原件';
  return name.toLowerCase().endsWith(extension) ? name : name + extension;
}
