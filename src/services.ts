import type { Db } from './db/database.js';
import { sharedExtractor, type Extractor } from './platform/extractor.js';
import type { Storage } from './platform/storage.js';
import { createAuditService } from './features/accounts/audit.service.js';
import { createAuthService } from './features/accounts/auth.service.js';
import { createBrowseService } from './features/catalog/browse.service.js';
import { createComplianceService } from './features/compliance/compliance.service.js';
import type { Clock } from './platform/clock.js';
import { createDocumentService } from './features/catalog/document.service.js';
import { createVersionService } from './features/catalog/document-versions.service.js';
import { createCatalogService } from './features/catalogs/catalogs.service.js';
import { createExtractionService } from './features/intake/extraction.service.js';
import { createExpiryReviewService } from './features/compliance/expiry-review.service.js';
import { createHealthService } from './platform/health.service.js';
import { createImportService } from './features/article20/decision-import.service.js';
import { createInterpretationService } from './features/catalog/interpretation.service.js';
import { createOrganService } from './features/catalog/organ.service.js';
import { createReportService } from './features/article20/report.service.js';
import type { SearchIndexes } from './features/search/search-index.js';
import { createSearchService } from './features/search/search.service.js';
import { createSuggestionService } from './features/intake/suggestion.service.js';
import { createTopicService } from './features/catalog/topic.service.js';
import { createUserService } from './features/accounts/user.service.js';
import { createRateLimitService } from './features/accounts/rate-limit.service.js';
import { createReadingProgressService } from './features/intake/reading-progress.service.js';
import { createAnnualReportService } from './features/annual-report/annual-report.service.js';
import { createRegisterService } from './features/annual-report/register.service.js';

export interface ServiceDeps {
  db: Db;
  indexes: SearchIndexes;
  storage: Storage;
  clock: Clock;
  /** PDF/DOCX text extraction; the process-wide child-process pool unless given. */
  extractor?: Extractor;
  /** Lifetime of new API tokens (TOKEN_TTL_DAYS); 90 days unless given. */
  tokenTtlDays?: number | undefined;
}

/** Every use case, each given only what it needs. */
export function createServices(deps: ServiceDeps) {
  const extraction = createExtractionService(deps.extractor ?? sharedExtractor());
  const documents = createDocumentService({ ...deps, extraction });
  const reports = createReportService(deps);
  return {
    clock: deps.clock,
    auth: createAuthService(deps),
    users: createUserService(deps),
    rateLimits: createRateLimitService(deps),
    audit: createAuditService(deps),
    organs: createOrganService(deps),
    topics: createTopicService(deps),
    documents,
    suggestions: createSuggestionService({ ...deps, extraction }),
    readingProgress: createReadingProgressService(),
    interpretations: createInterpretationService(deps),
    search: createSearchService(deps),
    browse: createBrowseService(deps),
    reports,
    imports: createImportService(deps),
    health: createHealthService(deps),
    compliance: createComplianceService(deps),
    expiryReviews: createExpiryReviewService({ ...deps, documents }),
    registers: createRegisterService(deps),
    annualReports: createAnnualReportService({ ...deps, reports }),
    versions: createVersionService({ ...deps, documents }),
    catalogs: createCatalogService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
