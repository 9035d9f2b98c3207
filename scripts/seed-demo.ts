import type { Actor } from '../src/features/accounts/actor.js';
import type { Services } from '../src/services.js';
import { DEMO_APPEALS, DEMO_DOCUMENTS, DEMO_INTERPRETATIONS, DEMO_ORGANS, DEMO_REQUESTS, DEMO_VERSIONS } from './demo-data.js';
import { yuanToFen } from '../src/features/article20/article20.js';
import type { Outcome } from '../src/features/annual-report/annual-report.js';

/**
 * Loads the fictional 示例县 through the same services the API uses, so the demo data passes every
 * validation a real registration does. Returns the ids given to each key.
 */
export async function seedDemo(services: Services, actor: Actor) {
  const organIds = new Map<string, number>();
  for (const organ of DEMO_ORGANS) {
    const parentId = organ.parent_key ? organIds.get(organ.parent_key) : null;
    const created = await services.organs.create(actor, {
      name: organ.name,
      short_name: organ.short_name ?? null,
      doc_prefixes: organ.doc_prefixes,
      parent_id: parentId ?? null,
    });
    organIds.set(organ.key, created.id);
  }
  const organ = (key: string) => {
    const id = organIds.get(key);
    if (id === undefined) throw new Error(`demo data: unknown organ ${key}`);
    return id;
  };

  const documentIds = new Map<string, number>();
  for (const doc of DEMO_DOCUMENTS) {
    const created = await services.documents.create(actor, {
      kind: doc.kind,
      title: doc.title,
      doc_number: doc.doc_number ?? null,
      index_number: doc.index_number ?? null,
      organ_id: organ(doc.organ_key),
      co_organ_ids: (doc.co_organ_keys ?? []).map(organ),
      signed_on: doc.signed_on ?? null,
      published_on: doc.published_on ?? null,
      effective_on: doc.effective_on ?? null,
      expires_on: doc.expires_on ?? null,
      topics: doc.topics,
      body: doc.body,
    });
    documentIds.set(doc.key, created.id);
  }
  const document = (key: string) => {
    const id = documentIds.get(key);
    if (id === undefined) throw new Error(`demo data: unknown document ${key}`);
    return id;
  };

  for (const doc of DEMO_DOCUMENTS) {
    if (doc.repeal) {
      await services.documents.repeal(actor, document(doc.key), {
        repealed_on: doc.repeal.repealed_on,
        by_document_id: doc.repeal.by_key ? document(doc.repeal.by_key) : undefined,
        reason: doc.repeal.reason,
      });
    }
    for (const target of doc.amends_keys ?? []) await services.documents.addAmendment(actor, document(doc.key), document(target));
  }
  for (const v of DEMO_VERSIONS) {
    await services.versions.add(actor, document(v.document_key), { amended_by_document_id: document(v.by_key), effective_on: v.effective_on, body: v.body, note: v.note });
  }

  for (const interpretation of DEMO_INTERPRETATIONS) {
    await services.interpretations.create(actor, {
      title: interpretation.title,
      body: interpretation.body,
      published_on: interpretation.published_on,
      document_ids: interpretation.document_keys.map(document),
    });
  }
  await seedRegisters(services, actor, organ);
  return { organIds, documentIds };
}

/** The registers behind sections 三 and 四 of the annual report. */
async function seedRegisters(services: Services, actor: Actor, organ: (key: string) => number) {
  for (const r of DEMO_REQUESTS) {
    await services.registers.createRequest(actor, {
      organ_id: organ(r.organ_key),
      number: r.number,
      received_on: r.received_on,
      applicant_type: r.applicant_type,
      subject: r.subject,
      correction_asked_on: r.correction?.[0] ?? null,
      correction_received_on: r.correction?.[1] ?? null,
      extended_on: r.extended_on ?? null,
      concluded_on: r.concluded_on ?? null,
      outcome: (r.outcome as Outcome | undefined) ?? null,
      fee_fen: r.fee_yuan === undefined ? null : yuanToFen(r.fee_yuan),
    });
  }
  for (const a of DEMO_APPEALS) {
    await services.registers.createAppeal(actor, {
      organ_id: organ(a.organ_key),
      number: a.number,
      kind: a.kind,
      filed_on: a.filed_on,
      concluded_on: a.concluded_on ?? null,
      result: a.result ?? null,
    });
  }
}
