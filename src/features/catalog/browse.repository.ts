import type { Db, Trx } from '../../db/database.js';
import type { IsoDate } from '../../shared/dates.js';

type Q = Db | Trx;

/** Every topic with the number of published documents filed under it. */
export function topicsWithCounts(db: Q, today: IsoDate) {
  return db
    .selectFrom('topics as t')
    .leftJoin('document_topics as dt', 'dt.topic_id', 't.id')
    .leftJoin('documents as d', (join) => join.onRef('d.id', '=', 'dt.document_id').on('d.published_on', '<=', today))
    .select(['t.id', 't.name', (eb) => eb.fn.count<string>('d.id').as('documents')])
    .groupBy(['t.id', 't.name', 't.sort_order'])
    .orderBy('t.sort_order')
    .orderBy('t.id')
    .execute()
    .then((rows) => rows.map((r) => ({ id: r.id, name: r.name, documents: Number(r.documents) })));
}

/** Every organ with the number of published documents it issued (as lead or co-issuer). */
export async function organsWithCounts(db: Q, today: IsoDate) {
  const issued = db
    .selectFrom('documents as d')
    .select(['d.organ_id', 'd.id as document_id'])
    .where('d.published_on', '<=', today)
    .union(
      db
        .selectFrom('document_co_issuers as c')
        .innerJoin('documents as d', 'd.id', 'c.document_id')
        .select(['c.organ_id', 'c.document_id'])
        .where('d.published_on', '<=', today),
    );
  const rows = await db
    .selectFrom('organs as o')
    .leftJoin(issued.as('x'), 'x.organ_id', 'o.id')
    .select(['o.id', 'o.name', 'o.parent_id', (eb) => eb.fn.count<string>('x.document_id').as('documents')])
    .groupBy(['o.id', 'o.name', 'o.parent_id'])
    .orderBy('o.id')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.name, parent_id: r.parent_id, documents: Number(r.documents) }));
}

/** Published documents and interpretations in id order, a page at a time, for sitemap.xml. */
export function publishedForSitemap(db: Q, table: 'documents' | 'interpretations', today: IsoDate, offset: number, limit: number) {
  return db
    .selectFrom(table)
    .select(['id', 'updated_at'])
    .where('published_on', '<=', today)
    .orderBy('id')
    .offset(offset)
    .limit(limit)
    .execute();
}

export async function countPublished(db: Q, table: 'documents' | 'interpretations', today: IsoDate): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('published_on', '<=', today)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
