import type { Db } from '../db/database.js';
import type { Storage } from '../platform/storage.js';
import { createAuditService } from './audit.service.js';
import { createAuthService } from './auth.service.js';
import type { Clock } from './clock.js';
import { createDocumentService } from './document.service.js';
import { createHealthService } from './health.service.js';
import { createInterpretationService } from './interpretation.service.js';
import { createOrganService } from './organ.service.js';
import type { SearchIndexes } from './search-index.js';
import { createTopicService } from './topic.service.js';
import { createUserService } from './user.service.js';

export interface ServiceDeps {
  db: Db;
  indexes: SearchIndexes;
  storage: Storage;
  clock: Clock;
}

/** Every use case, each given only what it needs. */
export function createServices(deps: ServiceDeps) {
  return {
    clock: deps.clock,
    auth: createAuthService(deps),
    users: createUserService(deps),
    audit: createAuditService(deps),
    organs: createOrganService(deps),
    topics: createTopicService(deps),
    documents: createDocumentService(deps),
    interpretations: createInterpretationService(deps),
    health: createHealthService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
