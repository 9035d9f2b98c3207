import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { IsoDate } from '../shared/dates.js';
import type { ExpiryDecision } from '../features/compliance/compliance.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
/** `date` columns travel as 'YYYY-MM-DD' strings (see the type parser in database.ts). */
type DateColumn = IsoDate;

export interface OrganTable {
  id: Generated<number>;
  name: string;
  short_name: string | null;
  parent_id: number | null;
  doc_prefixes: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface TopicTable {
  id: Generated<number>;
  name: string;
  sort_order: Generated<number>;
}

export type Role = 'admin' | 'editor' | 'compiler';

export interface UserTable {
  id: Generated<number>;
  username: string;
  display_name: string | null;
  password_hash: string;
  role: Role;
  disabled: Generated<boolean>;
  created_at: Timestamp;
  password_changed_at: Timestamp;
}

export interface SessionTable {
  id_hash: string;
  user_id: number;
  csrf_token: string;
  ip: string | null;
  user_agent: string | null;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Date;
}

export interface ApiTokenTable {
  id: Generated<number>;
  user_id: number;
  name: string;
  token_hash: string;
  created_at: Timestamp;
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** Failed sign-ins per typed username and client address; the lock-out hurts only that pair. */
export interface SignInFailureTable {
  username_key: string;
  client: string;
  failures: number;
  locked_until: Date | null;
  last_failed_at: Generated<Date>;
}

/** Fixed-window request counters, shared by every app process on the database. */
export interface RateLimitCounterTable {
  key: string;
  hits: number;
  resets_at: Date;
}

export interface DocumentTable {
  id: Generated<number>;
  kind: string;
  title: string;
  doc_number: string | null;
  doc_number_prefix: string | null;
  doc_number_year: number | null;
  doc_number_serial: number | null;
  doc_number_key: string | null;
  index_number: string | null;
  organ_id: number;
  signed_on: DateColumn | null;
  published_on: DateColumn | null;
  effective_on: DateColumn | null;
  expires_on: DateColumn | null;
  body: Generated<string>;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** Publishing warnings as last computed: [{code, message}] (jsonb, written as JSON text). */
  warnings: ColumnType<{ code: string; message: string }[], string | undefined, string>;
}

export interface DocumentCoIssuerTable {
  document_id: number;
  organ_id: number;
  position: number;
}

export interface DocumentTopicTable {
  document_id: number;
  topic_id: number;
}

export interface DocumentRepealTable {
  document_id: number;
  repealed_on: DateColumn;
  by_document_id: number | null;
  reason: string | null;
  created_by: number | null;
  created_at: Timestamp;
}

export type RelationType = 'amends' | 'repeals' | 'replaces';

export interface DocumentRelationTable {
  id: Generated<number>;
  from_document_id: number;
  to_document_id: number;
  relation: RelationType;
  created_at: Timestamp;
}

export interface InterpretationTable {
  id: Generated<number>;
  title: string;
  body: string;
  published_on: DateColumn;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface InterpretationDocumentTable {
  interpretation_id: number;
  document_id: number;
}

export interface StoredFileTable {
  sha256: string;
  size: ColumnType<string, number | bigint | string, never>;
  type: string;
  created_at: Timestamp;
}

export interface DocumentFileTable {
  id: Generated<number>;
  document_id: number;
  sha256: string;
  name: string;
  role: 'main' | 'attachment';
  text_layer: Generated<boolean>;
  /** The text was read by OCR (a scan): kept apart from a real text layer. */
  ocr: Generated<boolean>;
  created_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  at: Timestamp;
  user_id: number | null;
  ip: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
}

export interface IndexJobTable {
  id: Generated<string>;
  entity: 'document' | 'interpretation';
  entity_id: number;
  attempts: Generated<number>;
  run_after: Timestamp;
  last_error: string | null;
  created_at: Timestamp;
  /** The writing transaction (xid8, as text). */
  xact_id: Generated<string>;
}

/** Applied index jobs, kept a while so that a rebuild can replay those its snapshot could not see. */
export interface IndexJobHistoryTable {
  id: Generated<string>;
  entity: 'document' | 'interpretation';
  entity_id: number;
  xact_id: string;
  done_at: Generated<Date>;
}

/** A 行政许可 / 行政处罚 / 行政强制 decision (Article 20(五)(六)). */
export interface DecisionTable {
  id: Generated<number>;
  kind: 'licensing' | 'penalty' | 'enforcement';
  organ_id: number;
  decision_number: string;
  decision_number_key: string;
  decided_on: DateColumn;
  created_by: number | null;
  created_at: Timestamp;
}

/** A 行政事业性收费 record (Article 20(八)); `amount_fen` is a bigint, read as a string. */
export interface FeeTable {
  id: Generated<number>;
  organ_id: number;
  item: string;
  amount_fen: ColumnType<string, string, string>;
  collected_on: DateColumn;
  receipt_number: string | null;
  occurrence: Generated<number>;
  created_by: number | null;
  created_at: Timestamp;
}

/** One decision of the expiry review (清理) of a document; a document may be reviewed again later. */
export interface ExpiryReviewTable {
  id: Generated<number>;
  document_id: number;
  decision: ExpiryDecision;
  decided_on: DateColumn;
  note: string | null;
  previous_expires_on: DateColumn | null;
  new_expires_on: DateColumn | null;
  created_by: number | null;
  created_at: Timestamp;
}

/** Where an imported document came from: a corpus record id (see catalog-import.service.ts). */
/** A record's text as the verbatim search matches it (search-text.ts normalizeFragment). */
export interface SearchFragmentTable {
  /** The index record's group: `d12` for document 12, `i3` for interpretation 3. */
  record_group: string;
  title: string;
  /** The title, a space, and the text. */
  content: string;
}

export interface ImportSourceTable {
  source: string;
  source_key: string;
  document_id: number;
  imported_at: Timestamp;
}

/** A request for disclosure (依申请公开) in an organ's register; codes in annual-report/annual-report.ts. */
export interface DisclosureRequestTable {
  id: Generated<number>;
  organ_id: number;
  number: string;
  received_on: DateColumn;
  applicant_type: string;
  subject: string | null;
  correction_asked_on: DateColumn | null;
  correction_received_on: DateColumn | null;
  extended_on: DateColumn | null;
  concluded_on: DateColumn | null;
  outcome: string | null;
  /** 信息处理费 charged, in fen (bigint, read as a string). */
  fee_fen: ColumnType<string | null, string | null | undefined, string | null>;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** A 行政复议 or 行政诉讼 case about disclosure. */
export interface AppealTable {
  id: Generated<number>;
  organ_id: number;
  number: string;
  kind: string;
  filed_on: DateColumn;
  concluded_on: DateColumn | null;
  result: string | null;
  created_by: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** The compiler's texts of sections 一, 五 and 六 for one organ and year. */
export interface AnnualReportTextTable {
  organ_id: number;
  year: number;
  section_one: string;
  section_five: string;
  section_six: string;
  updated_by: number | null;
  updated_at: Timestamp;
}

/** A finalised annual report: its JSON and the DOCX exactly as published. */
export interface AnnualReportPublicationTable {
  id: Generated<number>;
  organ_id: number;
  year: number;
  subtree: boolean;
  report: ColumnType<unknown, string, string>;
  docx: Buffer;
  finalised_by: number | null;
  finalised_at: Timestamp;
}

/** A text version of a document: 1 is the text as issued, each later one the text after an amendment. */
export interface DocumentVersionTable {
  id: Generated<number>;
  document_id: number;
  number: number;
  effective_on: DateColumn;
  amended_by_document_id: number | null;
  body: string;
  note: string | null;
  file_sha256: string | null;
  file_name: string | null;
  created_by: number | null;
  created_at: Timestamp;
}

export interface Database {
  organs: OrganTable;
  topics: TopicTable;
  users: UserTable;
  api_tokens: ApiTokenTable;
  sign_in_failures: SignInFailureTable;
  rate_limit_counters: RateLimitCounterTable;
  documents: DocumentTable;
  document_co_issuers: DocumentCoIssuerTable;
  document_topics: DocumentTopicTable;
  document_repeals: DocumentRepealTable;
  document_relations: DocumentRelationTable;
  interpretations: InterpretationTable;
  interpretation_documents: InterpretationDocumentTable;
  stored_files: StoredFileTable;
  document_files: DocumentFileTable;
  audit_log: AuditLogTable;
  index_jobs: IndexJobTable;
  index_job_history: IndexJobHistoryTable;
  sessions: SessionTable;
  expiry_reviews: ExpiryReviewTable;
  decisions: DecisionTable;
  fees: FeeTable;
  import_sources: ImportSourceTable;
  disclosure_requests: DisclosureRequestTable;
  appeals: AppealTable;
  annual_report_texts: AnnualReportTextTable;
  annual_report_publications: AnnualReportPublicationTable;
  document_versions: DocumentVersionTable;
  search_fragments: SearchFragmentTable;
}

export type OrganRow = Selectable<OrganTable>;
export type NewOrgan = Insertable<OrganTable>;
export type DocumentRow = Selectable<DocumentTable>;
export type NewDocument = Insertable<DocumentTable>;
export type DocumentUpdate = Updateable<DocumentTable>;
export type UserRow = Selectable<UserTable>;
export type InterpretationRow = Selectable<InterpretationTable>;
