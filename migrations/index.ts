import type { Migration } from 'kysely';
import * as catalog from './20261129_0001_catalog.js';
import * as decisionsFees from './20261129_0100_decisions_fees.js';
import * as importSources from './20261129_0200_import_sources.js';
import * as indexJobHistory from './20261129_0300_index_job_history.js';
import * as sessions from './20261129_0400_sessions.js';
import * as expiryAfterPublication from './20261129_0410_expiry_after_publication.js';
import * as expiryReviews from './20261129_0500_expiry_reviews.js';
import * as signInGuard from './20261207_0100_sign_in_guard.js';
import * as searchFragments from './20261208_1300_search_fragments.js';
import * as documentWarnings from './20261208_1400_1_document_warnings.js';
import * as sharedDocNumbers from './20261208_1400_2_shared_doc_numbers.js';
import * as documentVersions from './20261208_1600_1_document_versions.js';
import * as ocrFiles from './20261208_1700_ocr_files.js';
import * as annualReport from './20261208_1800_annual_report.js';

/**
 * Every migration, by name, in order. Listed rather than read from the folder so that the same code
 * runs under tsx, vitest and the compiled build; a test checks this list against the folder.
 */
export const migrations: Record<string, Migration> = {
  '20261129_0001_catalog': catalog,
  '20261129_0100_decisions_fees': decisionsFees,
  '20261129_0200_import_sources': importSources,
  '20261129_0300_index_job_history': indexJobHistory,
  '20261129_0400_sessions': sessions,
  '20261129_0410_expiry_after_publication': expiryAfterPublication,
  '20261129_0500_expiry_reviews': expiryReviews,
  '20261207_0100_sign_in_guard': signInGuard,
  '20261208_1300_search_fragments': searchFragments,
  '20261208_1400_1_document_warnings': documentWarnings,
  '20261208_1400_2_shared_doc_numbers': sharedDocNumbers,
  '20261208_1600_1_document_versions': documentVersions,
  '20261208_1700_ocr_files': ocrFiles,
  '20261208_1800_annual_report': annualReport,
};
