import { randomBytes } from 'node:crypto';
import type { Actor } from '../../src/services/actor.js';
import type { NewDocumentInput } from '../../src/services/document.service.js';
import type { Services } from '../../src/services/index.js';

const unique = () => randomBytes(4).toString('hex');

/** An organ; every test that needs one makes its own. */
export function buildOrgan(services: Services, actor: Actor, overrides: Partial<Parameters<Services['organs']['create']>[1]> = {}) {
  return services.organs.create(actor, { name: `测试机关${unique()}`, doc_prefixes: [], ...overrides });
}

/** A published normative document, creating its organ when none is given. */
export async function buildDocument(services: Services, actor: Actor, overrides: Partial<NewDocumentInput> = {}) {
  const organId = overrides.organ_id ?? (await buildOrgan(services, actor)).id;
  return services.documents.create(actor, {
    kind: 'normative',
    title: `关于测试事项的通知${unique()}`,
    published_on: '2023-03-01',
    ...overrides,
    organ_id: organId,
  });
}
