import { z } from '../../http/validation.js';

export const attachFileBody = z
  .object({
    role: z
      .enum(['main', 'attachment'], { error: 'role 应为 main（原件，替换现有原件）或 attachment（附件）' })
      .optional()
      .default('attachment'),
  })
  .strict();

/** The file is the whole request; no other field is expected. */
export const suggestBody = z.object({}).strict();
