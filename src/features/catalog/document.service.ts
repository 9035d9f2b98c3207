import type { DocumentServiceDeps } from './document-fields.service.js';
import { createDocumentPublishing } from './document-publishing.service.js';
import { createDocumentReading } from './document-reading.service.js';
import { createDocumentRegistration } from './document-registration.service.js';
import { createDocumentRepeal } from './document-repeal.service.js';

// Document lookups other features make inside their own transactions (the bulk import's duplicate
// checks, the expiry review's row lock): through the catalog's service, never its repository.
export { findDocumentByNumber, findDocumentsByNumber, findDocumentByTitle, lockDocument } from './document.repository.js';

// The document service's entry point: its types and its use cases, each in a file of its own.
export type { DocumentFields, DocumentPatch, DocumentServiceDeps, NewDocumentInput } from './document-fields.service.js';
export { STAGED_UPLOAD_TTL_MS, type PreparedFile, type UploadedFile } from './document-registration.service.js';
export type { RepealInput } from './document-repeal.service.js';

/** The catalog's documents: registering, publishing, repealing and reading them. */
export function createDocumentService(deps: DocumentServiceDeps) {
  const reading = createDocumentReading(deps);
  return {
    ...createDocumentRegistration(deps, reading),
    ...createDocumentPublishing(deps, reading),
    ...createDocumentRepeal(deps, reading),
    ...reading,
  };
}

export type DocumentService = ReturnType<typeof createDocumentService>;
