import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DocumentStatus } from '../shared/document-status.js';
import type { IsoDate } from '../shared/dates.js';

/**
 * The SQL twin of `documentStatusAsOf`: one predicate per status, for filtering and counting in the
 * database. Expects `documents as d` left-joined with `document_repeals as r`. An integration test
 * checks that both agree on a table of documents.
 */
export function statusPredicate(status: DocumentStatus, day: IsoDate): RawBuilder<SqlBool> {
  const published = sql<SqlBool>`(d.published_on is not null and d.published_on <= ${day}::date)`;
  const repealed = sql<SqlBool>`(r.repealed_on is not null and r.repealed_on <= ${day}::date)`;
  const expired = sql<SqlBool>`(d.expires_on is not null and d.expires_on < ${day}::date)`;
  const notEffective = sql<SqlBool>`(coalesce(d.effective_on, d.published_on) > ${day}::date)`;
  switch (status) {
    case 'draft':
      return sql<SqlBool>`not ${published}`;
    case 'repealed':
      return sql<SqlBool>`${published} and ${repealed}`;
    case 'expired':
      return sql<SqlBool>`${published} and not ${repealed} and ${expired}`;
    case 'not_yet_effective':
      return sql<SqlBool>`${published} and not ${repealed} and not ${expired} and ${notEffective}`;
    case 'in_force':
      return sql<SqlBool>`${published} and not ${repealed} and not ${expired} and not ${notEffective}`;
  }
}
