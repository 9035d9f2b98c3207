import type { Db } from '../../db/database.js';
import { suggestMetadata } from './metadata-suggestions.js';
import { ForbiddenError } from '../../errors.js';
import { listOrgans } from '../catalog/organ.service.js';
import { listTopics } from '../catalog/topic.service.js';
import { can, type Actor } from '../accounts/actor.js';
import type { UploadedFile } from '../catalog/document.service.js';
import type { ExtractCall, ExtractionService } from './extraction.service.js';

const EXCERPT_CHARS = 500;

export function createSuggestionService({ db, extraction }: { db: Db; extraction: ExtractionService }) {
  return {
    /**
     * What the file's text suggests for the registration form. Stores nothing: the file is stored
     * when the document is created with it, after staff checked the values.
     */
    async suggest(actor: Actor, file: UploadedFile, call: ExtractCall = {}) {
      if (!can(actor, 'document:write')) throw new ForbiddenError();
      const extracted = await extraction.extract(file, call);
      const [organs, topics] = await Promise.all([listOrgans(db), listTopics(db)]);
      const suggestions = suggestMetadata(extracted.text, { organs, topics: topics.map((t) => t.name) });
      return {
        text_layer: extracted.textLayer,
        ocr: extracted.ocr,
        // OCR text goes into the form's body whole, for staff to correct before it is published.
        ocr_text: extracted.ocr ? extracted.text : null,
        pages: extracted.pages,
        failed_pages: extracted.failedPages,
        suggestions,
        excerpt: extracted.text.slice(0, EXCERPT_CHARS),
      };
    },
  };
}

export type SuggestionService = ReturnType<typeof createSuggestionService>;
