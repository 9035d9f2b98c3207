import { sql, type Expression, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { Db, Trx } from '../../db/database.js';
import type { DocumentKind, DocumentStatus } from '../../shared/document-status.js';
import type { IsoDate } from '../../shared/dates.js';
import { coIssuersOfDocuments, findDocumentSummaries, topicsOfDocuments } from '../../db/document.sql.js';
import { statusPredicate } from '../../db/status.sql.js';
import { groupBy } from '../../shared/group-by.js';

type Q = Db | Trx;
/** Enough for a ten-word query; each one a bound parameter. */
const MAX_SNIPPET_CANDIDATES = 60;

// ---------------------------------------------------------------------------------------------
// What the index is built from

/** A document (alias d) issued by one of these organs, as lead organ or as co-issuer. */
const issuedBy = (organIds: number[]) =>
  sql<SqlBool>`(d.organ_id = any(${organIds}::int[]) or exists (
    select 1 from document_co_issuers c where c.document_id = d.id and c.organ_id = any(${organIds}::int[])))`;

/** A document (alias d) filed under one of these topics. */
const filedUnder = (topics: string[]) =>
  sql<SqlBool>`exists (select 1 from document_topics dt join topics t on t.id = dt.topic_id
    where dt.document_id = d.id and t.name = any(${topics}::text[]))`;

/** Documents with everything their index records carry. */
export async function findDocumentsForIndex(db: Q, ids: number[]) {
  if (ids.length === 0) return [];
  const [rows, bodies, topics, coIssuers, interpretations] = await Promise.all([
    findDocumentSummaries(db, ids),
    db.selectFrom('documents').select(['id', 'body']).where('id', 'in', ids).execute(),
    topicsOfDocuments(db, ids),
    coIssuersOfDocuments(db, ids),
    db
      .selectFrom('interpretation_documents as l')
      .innerJoin('interpretations as i', 'i.id', 'l.interpretation_id')
      .select(['l.document_id', 'i.title', 'i.published_on'])
      .where('l.document_id', 'in', ids)
      .orderBy('i.published_on')
      .execute(),
  ]);
  const body = new Map(bodies.map((b) => [b.id, b.body]));
  const interpretationsOf = groupBy(interpretations, (i) => i.document_id, ({ title, published_on }) => ({ title, published_on }));
  return rows.map((row) => ({
    ...row,
    body: body.get(row.id) ?? '',
    topics: topics.get(row.id) ?? [],
    co_issuers: coIssuers.get(row.id) ?? [],
    interpretations: interpretationsOf.get(row.id) ?? [],
  }));
}

/** Interpretations with the documents they explain that are or will be published (titles, 文号, organs, topics). */
export async function findInterpretationsForIndex(db: Q, ids: number[]) {
  if (ids.length === 0) return [];
  const [rows, links] = await Promise.all([
    db.selectFrom('interpretations').select(['id', 'title', 'body', 'published_on']).where('id', 'in', ids).execute(),
    db
      .selectFrom('interpretation_documents as l')
      .innerJoin('documents as d', 'd.id', 'l.document_id')
      .innerJoin('organs as o', 'o.id', 'd.organ_id')
      .select(['l.interpretation_id', 'd.id', 'd.title', 'd.doc_number', 'd.organ_id', 'o.name as organ_name', 'd.published_on'])
      .where('l.interpretation_id', 'in', ids)
      // A draft's title must not become findable through its interpretation.
      .where('d.published_on', 'is not', null)
      .orderBy('d.id')
      .execute(),
  ]);
  const documentIds = [...new Set(links.map((l) => l.id))];
  const [topics, coIssuers] = await Promise.all([topicsOfDocuments(db, documentIds), coIssuersOfDocuments(db, documentIds)]);
  const linksOf = groupBy(links, (l) => l.interpretation_id);
  return rows.map((row) => ({
    ...row,
    documents: (linksOf.get(row.id) ?? []).map((l) => ({ ...l, topics: topics.get(l.id) ?? [], co_issuers: coIssuers.get(l.id) ?? [] })),
  }));
}

/** The interpretations of these documents: their records repeat the documents' titles. */
export async function interpretationIdsOfDocuments(db: Q, documentIds: number[]): Promise<number[]> {
  if (documentIds.length === 0) return [];
  const rows = await db
    .selectFrom('interpretation_documents')
    .select('interpretation_id')
    .distinct()
    .where('document_id', 'in', documentIds)
    .execute();
  return rows.map((r) => r.interpretation_id);
}

/** Ids in pages, for a rebuild that must not hold everything in memory at once. */
export async function idsAfter(db: Q, table: 'documents' | 'interpretations', afterId: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom(table).select('id').where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

export async function countForIndex(db: Q): Promise<{ documents: number; interpretations: number }> {
  const [d, i] = await Promise.all([
    db.selectFrom('documents').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    db.selectFrom('interpretations').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { documents: Number(d.n), interpretations: Number(i.n) };
}

// ---------------------------------------------------------------------------------------------
// The simple search, used while Meilisearch is unavailable

export interface BasicSearchFilter {
  today: IsoDate;
  /** Public callers see only what is published by today; staff (false) see drafts too. */
  publicOnly: boolean;
  terms: string[];
  docNumberKey: string | null;
  kinds?: DocumentKind[] | undefined;
  statuses?: DocumentStatus[] | undefined;
  organIds?: number[] | undefined;
  topics?: string[] | undefined;
  years?: number[] | undefined;
  /** scope=title: the terms are looked for in titles only. */
  titleOnly?: boolean;
  signed?: DayRange;
  published?: DayRange;
  sort: 'relevance' | 'date';
  offset: number;
  limit: number;
}

export interface DayRange {
  from?: IsoDate | undefined;
  to?: IsoDate | undefined;
}

/** `column` within the inclusive range; nothing when the range is open on both ends. */
function withinDays(column: string, range: DayRange | undefined): Expression<SqlBool>[] {
  return [
    ...(range?.from ? [sql<SqlBool>`${sql.ref(column)} >= ${range.from}`] : []),
    ...(range?.to ? [sql<SqlBool>`${sql.ref(column)} <= ${range.to}`] : []),
  ];
}

/** `%term%` for ILIKE, with the pattern characters of the term itself escaped. */
const likePattern = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function documentYear() {
  return sql<number>`extract(year from coalesce(d.signed_on, d.published_on))::int`;
}

/**
 * Documents whose title, 文号 or text contains every term (ILIKE, no index: slower and simpler than
 * Meilisearch, and only used while it is down), the exact 文号 first.
 */
export async function basicSearchDocuments(db: Q, f: BasicSearchFilter) {
  let query = db
    .selectFrom('documents as d')
    .leftJoin('document_repeals as r', 'r.document_id', 'd.id')
    .where((eb) => {
      const conditions: Expression<SqlBool>[] = [];
      if (f.publicOnly) conditions.push(eb('d.published_on', '<=', f.today));
      if (f.kinds?.length) conditions.push(eb('d.kind', 'in', f.kinds));
      if (f.statuses?.length) conditions.push(eb.or(f.statuses.map((s) => statusPredicate(s, f.today))));
      if (f.organIds?.length) conditions.push(issuedBy(f.organIds));
      if (f.topics?.length) conditions.push(filedUnder(f.topics));
      if (f.years?.length) conditions.push(eb(documentYear(), 'in', f.years));
      conditions.push(...withinDays('d.signed_on', f.signed), ...withinDays('d.published_on', f.published));
      const textMatch = f.terms.map((term) => {
        const pattern = likePattern(term);
        return eb.or([
          eb('d.title', 'ilike', pattern),
          ...(f.titleOnly ? [] : [eb('d.doc_number', 'ilike', pattern), eb('d.body', 'ilike', pattern)]),
        ]);
      });
      if (f.docNumberKey) {
        conditions.push(eb.or([eb('d.doc_number_key', '=', f.docNumberKey), ...(textMatch.length ? [eb.and(textMatch)] : [])]));
      } else {
        conditions.push(...textMatch);
      }
      return eb.and(conditions);
    })
    .select([
      'd.id',
      sql<number>`count(*) over ()`.as('total'),
    ]);
  if (f.docNumberKey) query = query.orderBy(sql`d.doc_number_key = ${f.docNumberKey}`, (ob) => ob.desc().nullsLast());
  if (f.sort === 'relevance' && f.terms.length) {
    const inTitle = sql.join(f.terms.map((t) => sql`d.title ilike ${likePattern(t)}`), sql` and `);
    query = query.orderBy(sql`(${inTitle})`, 'desc');
  }
  return pageWithTotal(
    query.orderBy(sql`coalesce(d.published_on, d.signed_on)`, (ob) => ob.desc().nullsLast()).orderBy('d.id', 'desc'),
    f,
  );
}

/** A page of ids and the total count in one scan; a second query only when the page is past the end. */
async function pageWithTotal(
  query: SelectQueryBuilder<any, any, { id: number; total: number }>,
  f: { offset: number; limit: number },
): Promise<{ total: number; ids: number[] }> {
  const rows = await query.offset(f.offset).limit(f.limit).execute();
  if (rows.length > 0 || f.offset === 0) return { total: Number(rows[0]?.total ?? 0), ids: rows.map((r) => r.id) };
  const [first] = await query.clearSelect().clearOrderBy().select(sql<number>`count(*)`.as('total')).execute();
  return { total: Number(first?.total ?? 0), ids: [] };
}

/** Interpretations whose title or text contains every term; filters reach them through their documents. */
export async function basicSearchInterpretations(db: Q, f: BasicSearchFilter) {
  const query = db
    .selectFrom('interpretations as i')
    .where((eb) => {
      const conditions: Expression<SqlBool>[] = [];
      if (f.publicOnly) conditions.push(eb('i.published_on', '<=', f.today));
      if (f.years?.length) conditions.push(eb(sql<number>`extract(year from i.published_on)::int`, 'in', f.years));
      conditions.push(...withinDays('i.published_on', f.published));
      if (f.organIds?.length || f.topics?.length) {
        let linked = eb
          .selectFrom('interpretation_documents as l')
          .innerJoin('documents as d', 'd.id', 'l.document_id')
          .select('l.document_id')
          .whereRef('l.interpretation_id', '=', 'i.id');
        // The same organ and topic rules as for documents, as the full index applies them.
        if (f.organIds?.length) linked = linked.where(issuedBy(f.organIds));
        if (f.topics?.length) linked = linked.where(filedUnder(f.topics));
        conditions.push(eb.exists(linked));
      }
      for (const term of f.terms) {
        const pattern = likePattern(term);
        conditions.push(eb.or([eb('i.title', 'ilike', pattern), ...(f.titleOnly ? [] : [eb('i.body', 'ilike', pattern)])]));
      }
      return eb.and(conditions);
    })
    .select(['i.id', sql<number>`count(*) over ()`.as('total')])
    .orderBy('i.published_on', 'desc')
    .orderBy('i.id', 'desc');
  return pageWithTotal(query, f);
}

// ---------------------------------------------------------------------------------------------
// Rows for search answers

export interface SnippetWindow {
  /** The query's words, whole. */
  words: string[];
  /** What to look for, most wanted first: the words, then their pieces. */
  candidates: string[];
  /** The piece is `width` characters long and starts `lead` characters before the first found. */
  width: number;
  lead: number;
}

/** Characters at the start of a text searched for every candidate; beyond, only for whole words. */
const SNIPPET_HEAD = 6000;
/** Whole words looked for beyond the head: each such search reads the whole text. */
const SNIPPET_DEEP_WORDS = 3;

/**
 * The piece of each text (`t.head` = its first SNIPPET_HEAD characters, `t.body` = all of it) to show
 * as its snippet, chosen here so that only the pieces travel, not texts of up to megabytes. Stored
 * texts are compressed: `left()` decompresses only the head, and the whole text is read only for a
 * word found nowhere in the head. The terms go as arrays: sixty of them as single parameters made
 * planning cost more than running the query.
 */
function snippetColumns(window: SnippetWindow) {
  const firstIn = (text: string, terms: string[]) => sql<number>`(
    select f.at from unnest(${terms}::text[]) with ordinality as c(term, n)
    cross join lateral (select strpos(${sql.ref(text)}, c.term) as at) f
    where f.at > 0 order by c.n limit 1)`;
  const head = firstIn('t.head', window.candidates.slice(0, MAX_SNIPPET_CANDIDATES));
  const deep = firstIn('t.body', window.words.slice(0, SNIPPET_DEEP_WORDS));
  const { width, lead } = window;
  return {
    // The first term found, in their order; a match near the beginning shows the text from its start.
    start: sql<number>`(select case when f <= ${width - 2 * lead} then 1 else f - ${lead} end from (select coalesce(${head}, ${deep}, 1) as f) x)`,
    // One character more than shown tells whether the text goes on.
    piece: sql<string>`substr(case when s.start + ${width} < ${SNIPPET_HEAD} then t.head else t.body end, s.start, ${width + 1})`,
  };
}

export interface HitDetails {
  title: string;
  /** The snippet piece of its text (see snippetColumns), when asked for. */
  snippet: { text: string; cutStart: boolean; cutEnd: boolean } | null;
}

type HitTable = 'documents' | 'interpretations';
const HIT_TYPES: Record<HitTable, string> = { documents: 'document', interpretations: 'interpretation' };

/**
 * The current title of each of these documents and interpretations, and the snippet piece of those in
 * `snippets`, by `type:id`; with `publicBy`, only of those published by that day: the index may lag a
 * change by a moment, and a document withdrawn or a title corrected meanwhile must not show. One
 * query for a page of hits.
 */
export async function hitDetails(
  db: Q,
  ids: Record<HitTable, number[]>,
  snippets: Record<HitTable, number[]>,
  window: SnippetWindow,
  publicBy: IsoDate | null,
): Promise<Map<string, HitDetails>> {
  const tables = Object.keys(HIT_TYPES) as HitTable[];
  if (tables.every((table) => ids[table].length === 0)) return new Map();
  const { start, piece } = snippetColumns(window);
  const titles = tables.map(
    (table) => sql`
      select ${HIT_TYPES[table]} || ':' || x.id as key, x.title, null as piece, null::int as start from ${sql.table(table)} x
      where x.id = any(${ids[table]}::int[]) ${publicBy ? sql`and x.published_on <= ${publicBy}` : sql``}`,
  );
  const pieces = tables
    .filter((table) => snippets[table].length > 0)
    .map(
      (table) => sql`
        select ${HIT_TYPES[table]} || ':' || t.id, null, ${piece}, s.start
        -- offset 0 keeps the head one value, not decompressed again for each term.
        from (select x.id, left(x.body, ${SNIPPET_HEAD}) as head, x.body from ${sql.table(table)} x where x.id = any(${snippets[table]}::int[]) offset 0) t
        cross join lateral (select ${start} as start) s`,
    );
  const { rows } = await sql<{ key: string; title: string | null; piece: string | null; start: number | null }>`${sql.join(
    [...titles, ...pieces],
    sql` union all `,
  )}`.execute(db);
  const details = new Map<string, HitDetails>();
  for (const row of rows) if (row.title !== null) details.set(row.key, { title: row.title, snippet: null });
  for (const row of rows) {
    const found = details.get(row.key);
    if (row.piece === null || !found) continue;
    found.snippet = { text: row.piece.slice(0, window.width), cutStart: (row.start ?? 1) > 1, cutEnd: row.piece.length > window.width };
  }
  return details;
}

/** Interpretations as search hits. */
export function findInterpretationHits(db: Q, ids: number[]) {
  return db.selectFrom('interpretations').select(['id', 'title', 'published_on']).where('id', 'in', ids.length ? ids : [-1]).execute();
}

// ---------------------------------------------------------------------------------------------
// The verbatim search (search_fragments: texts in the form of search-text.ts normalizeFragment)

export interface FragmentRow {
  record_group: string;
  title: string;
  content: string;
}

/** Replaces the verbatim-search texts of these records and removes those of the groups gone. */
export async function writeFragments(db: Q, rows: FragmentRow[], gone: string[]): Promise<void> {
  if (gone.length) await db.deleteFrom('search_fragments').where('record_group', 'in', gone).execute();
  if (!rows.length) return;
  await db
    .insertInto('search_fragments')
    .values(rows)
    .onConflict((oc) => oc.column('record_group').doUpdateSet((eb) => ({ title: eb.ref('excluded.title'), content: eb.ref('excluded.content') })))
    .execute();
}

/** Whether this database's character classes let pg_trgm index Han text (LC_CTYPE C.UTF-8, not C). */
export async function trigramsIndexHan(db: Q): Promise<boolean> {
  const { rows } = await sql<{ ok: boolean }>`select coalesce(array_length(show_trgm('中文字'), 1), 0) > 0 as ok`.execute(db);
  return rows[0]?.ok ?? false;
}

export interface VerbatimMatch {
  group: string;
  inTitle: boolean;
}

const QUERY_CANCELED = '57014';

/**
 * The records whose title (or, unless `titleOnly`, text) contains `fragment`, already normalized: at
 * most `limit` title matches and `limit` text matches, each limited before anything is ordered, so
 * that a fragment standing in thousands of texts costs no more than a rare one. The planner guesses
 * a sequential scan for most `like '%…%'` patterns; with trigram-indexed texts (`indexed`) it is told
 * not to. Null when the statement ran out of `timeoutMs`.
 */
export async function findVerbatim(
  db: Db,
  fragment: string,
  options: { titleOnly: boolean; limit: number; timeoutMs: number; indexed: boolean },
): Promise<VerbatimMatch[] | null> {
  const pattern = likePattern(fragment);
  const inTexts = options.titleOnly
    ? sql``
    : sql`union all select record_group, false from (
        select record_group from search_fragments where content like ${pattern} limit ${options.limit}) c`;
  try {
    return await db.transaction().execute(async (trx) => {
      await sql`select set_config('statement_timeout', ${String(options.timeoutMs)}, true),
        set_config('enable_seqscan', ${options.indexed ? 'off' : 'on'}, true)`.execute(trx);
      const { rows } = await sql<{ record_group: string; in_title: boolean }>`
        select record_group, true as in_title from (
          select record_group from search_fragments where title like ${pattern} limit ${options.limit}) t
        ${inTexts}`.execute(trx);
      const matches = new Map<string, boolean>();
      for (const row of rows) matches.set(row.record_group, (matches.get(row.record_group) ?? false) || row.in_title);
      return [...matches].map(([group, inTitle]) => ({ group, inTitle }));
    });
  } catch (error) {
    if ((error as { code?: string }).code === QUERY_CANCELED) return null;
    throw error;
  }
}
