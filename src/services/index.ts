import type { Db } from '../db/database.js';
import { sharedExtractor, type Extractor } from '../platform/extractor.js';
import type { Storage } from '../platform/storage.js';
import { createAuditService } from './audit.service.js';
import { createAuthService } from './auth.service.js';
import { createComplianceService } from './compliance.service.js';
import type { Clock } from './clock.js';
import { createDocumentService } from './document.service.js';
import { createExtractionService } from './extraction.service.js';
import { createExpiryReviewService } from './expiry-review.service.js';
import { createHealthService } from './health.service.js';
import { createImportService } from './import.service.js';
import { createInterpretationService } from './interpretation.service.js';
import { createOrganService } from './organ.service.js';
import { createReportService } from './report.service.js';
import type { SearchIndexes } from './search-index.js';
import { createSearchService } from './search.service.js';
import { createSuggestionService } from './suggestion.service.js';
import { createTopicService } from './topic.service.js';
import { createUserService } from './user.service.js';

export interface ServiceDeps {
  db: Db;
  indexes: SearchIndexes;
  storage: Storage;
  clock: Clock;
  /** PDF/DOCX text extraction; the process-wide child-process pool unless given. */
  extractor?: Extractor;
}

/** Every use case, each given only what it needs. */
export function createServices(deps: ServiceDeps) {
  const extraction = createExtractionService(deps.extractor ?? sharedExtractor());
  const documents = createDocumentService({ ...deps, extraction });
  return {
    clock: deps.clock,
    auth: createAuthService(deps),
    users: createUserService(deps),
    audit: createAuditService(deps),
    organs: createOrganService(deps),
    topics: createTopicService(deps),
    documents,
    suggestions: createSuggestionService({ ...deps, extraction }),
    interpretations: createInterpretationService(deps),
    search: createSearchService(deps),
    reports: createReportService(deps),
    imports: createImportService(deps),
    health: createHealthService(deps),
    compliance: createComplianceService(deps),
    expiryReviews: createExpiryReviewService({ ...deps, documents }),
  };
}

export type Services = ReturnType<typeof createServices>;
