import { sql, type Kysely } from 'kysely';

// Frozen: this file describes the schema as it was on the day it was written. Change it with a new file.

const TOPICS = [
  '国务院组织机构', '综合政务', '国民经济管理、国有资产监管', '财政、金融、审计', '国土资源、能源',
  '农业、林业、水利', '工业、交通', '商贸、海关、旅游', '市场监管、安全生产监管', '城乡建设、环境保护',
  '科技、教育', '文化、广电、新闻出版', '卫生、体育', '人口与计划生育、妇女儿童工作', '劳动、人事、监察',
  '公安、安全、司法', '民政、扶贫、救灾', '民族、宗教', '对外事务', '港澳台侨工作', '国防', '其他',
  '生态环境', '财政信息', '安全生产', '食品药品',
];

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organs')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull().unique().check(sql`length(btrim(name)) between 1 and 100`))
    .addColumn('short_name', 'text')
    .addColumn('parent_id', 'integer', (c) => c.references('organs.id').onDelete('restrict'))
    .addColumn('doc_prefixes', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('organs_not_own_parent', sql`parent_id is distinct from id`)
    .execute();
  await db.schema.createIndex('organs_parent_idx').on('organs').column('parent_id').execute();

  await db.schema
    .createTable('topics')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db
    .insertInto('topics')
    .values(TOPICS.map((name, i) => ({ name, sort_order: (i + 1) * 10 })))
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('username', 'text', (c) => c.notNull().unique().check(sql`username ~ '^[A-Za-z0-9_.-]{2,64}$'`))
    .addColumn('display_name', 'text')
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('admin', 'editor', 'compiler')`))
    .addColumn('disabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('api_tokens')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').column('user_id').execute();

  await db.schema
    .createTable('documents')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('rule', 'normative', 'law', 'administrative_regulation', 'local_regulation', 'other')`),
    )
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(btrim(title)) between 1 and 500`))
    .addColumn('doc_number', 'text')
    .addColumn('doc_number_prefix', 'text')
    .addColumn('doc_number_year', 'integer')
    .addColumn('doc_number_serial', 'integer')
    .addColumn('doc_number_key', 'text')
    .addColumn('index_number', 'text', (c) => c.unique())
    .addColumn('organ_id', 'integer', (c) => c.notNull().references('organs.id').onDelete('restrict'))
    .addColumn('signed_on', 'date')
    .addColumn('published_on', 'date')
    .addColumn('effective_on', 'date')
    .addColumn('expires_on', 'date')
    .addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // The law's order of events: a document is signed, then published, then takes effect, then may expire.
    .addCheckConstraint('documents_published_after_signed', sql`published_on >= signed_on`)
    .addCheckConstraint('documents_effective_after_signed', sql`effective_on >= signed_on`)
    .addCheckConstraint('documents_expires_after_effective', sql`expires_on >= coalesce(effective_on, published_on, signed_on)`)
    .addCheckConstraint(
      'documents_doc_number_parts',
      sql`(doc_number is null) = (doc_number_key is null) and (doc_number_key is null) = (doc_number_prefix is null)`,
    )
    .execute();
  // One 文号 names one document of a kind from one organ; a missing year (令号) counts as its own value.
  await sql`create unique index documents_doc_number_unique on documents (organ_id, kind, doc_number_key)
            where doc_number_key is not null`.execute(db);
  await db.schema.createIndex('documents_doc_number_key_idx').on('documents').column('doc_number_key').execute();
  await db.schema.createIndex('documents_organ_kind_idx').on('documents').columns(['organ_id', 'kind']).execute();
  await db.schema.createIndex('documents_published_idx').on('documents').column('published_on').execute();
  await db.schema.createIndex('documents_signed_idx').on('documents').column('signed_on').execute();

  await db.schema
    .createTable('document_co_issuers')
    .addColumn('document_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('organ_id', 'integer', (c) => c.notNull().references('organs.id').onDelete('restrict'))
    .addColumn('position', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('document_co_issuers_pk', ['document_id', 'organ_id'])
    .execute();

  await db.schema
    .createTable('document_topics')
    .addColumn('document_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('topic_id', 'integer', (c) => c.notNull().references('topics.id').onDelete('restrict'))
    .addPrimaryKeyConstraint('document_topics_pk', ['document_id', 'topic_id'])
    .execute();
  await db.schema.createIndex('document_topics_topic_idx').on('document_topics').column('topic_id').execute();

  await db.schema
    .createTable('document_repeals')
    .addColumn('document_id', 'integer', (c) => c.primaryKey().references('documents.id').onDelete('cascade'))
    .addColumn('repealed_on', 'date', (c) => c.notNull())
    .addColumn('by_document_id', 'integer', (c) => c.references('documents.id').onDelete('restrict'))
    .addColumn('reason', 'text')
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('document_repeals_not_self', sql`by_document_id is distinct from document_id`)
    .execute();
  await db.schema.createIndex('document_repeals_on_idx').on('document_repeals').column('repealed_on').execute();

  await db.schema
    .createTable('document_relations')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('from_document_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('to_document_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('relation', 'text', (c) => c.notNull().check(sql`relation in ('amends', 'repeals', 'replaces')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('document_relations_not_self', sql`from_document_id <> to_document_id`)
    .addUniqueConstraint('document_relations_unique', ['from_document_id', 'to_document_id', 'relation'])
    .execute();
  await db.schema.createIndex('document_relations_to_idx').on('document_relations').column('to_document_id').execute();

  await db.schema
    .createTable('interpretations')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('title', 'text', (c) => c.notNull().check(sql`length(btrim(title)) between 1 and 500`))
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('published_on', 'date', (c) => c.notNull())
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('interpretation_documents')
    .addColumn('interpretation_id', 'integer', (c) => c.notNull().references('interpretations.id').onDelete('cascade'))
    .addColumn('document_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('interpretation_documents_pk', ['interpretation_id', 'document_id'])
    .execute();
  await db.schema
    .createIndex('interpretation_documents_document_idx')
    .on('interpretation_documents')
    .column('document_id')
    .execute();

  // Content-addressed: the same bytes are stored once, however many documents carry them.
  await db.schema
    .createTable('stored_files')
    .addColumn('sha256', 'text', (c) => c.primaryKey().check(sql`sha256 ~ '^[0-9a-f]{64}$'`))
    .addColumn('size', 'bigint', (c) => c.notNull().check(sql`size >= 0`))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('document_files')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    .addColumn('document_id', 'integer', (c) => c.notNull().references('documents.id').onDelete('cascade'))
    .addColumn('sha256', 'text', (c) => c.notNull().references('stored_files.sha256').onDelete('restrict'))
    .addColumn('name', 'text', (c) => c.notNull().check(sql`length(name) between 1 and 255`))
    .addColumn('role', 'text', (c) => c.notNull().defaultTo('main').check(sql`role in ('main', 'attachment')`))
    .addColumn('text_layer', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('document_files_document_idx').on('document_files').column('document_id').execute();
  await sql`create unique index document_files_one_main on document_files (document_id) where role = 'main'`.execute(db);

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('ip', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('entity', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text')
    .addColumn('before', 'jsonb')
    .addColumn('after', 'jsonb')
    .execute();
  await db.schema.createIndex('audit_log_entity_idx').on('audit_log').columns(['entity', 'entity_id']).execute();
  // Append-only, enforced by the database so no code path can rewrite history.
  await sql`create function audit_log_append_only() returns trigger language plpgsql as $$
            begin raise exception 'audit_log is append-only'; end $$`.execute(db);
  await sql`create trigger audit_log_no_update before update or delete on audit_log
            for each row execute function audit_log_append_only()`.execute(db);
  await sql`create trigger audit_log_no_truncate before truncate on audit_log
            for each statement execute function audit_log_append_only()`.execute(db);

  // The outbox of the search index: written in the same transaction as the change it follows.
  await db.schema
    .createTable('index_jobs')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('entity', 'text', (c) => c.notNull().check(sql`entity in ('document', 'interpretation')`))
    .addColumn('entity_id', 'integer', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('run_after', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('index_jobs_run_after_idx').on('index_jobs').column('run_after').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'index_jobs', 'audit_log', 'document_files', 'stored_files', 'interpretation_documents', 'interpretations',
    'document_relations', 'document_repeals', 'document_topics', 'document_co_issuers', 'documents',
    'api_tokens', 'users', 'topics', 'organs',
  ]) {
    await db.schema.dropTable(table).execute();
  }
  await sql`drop function audit_log_append_only()`.execute(db);
}
