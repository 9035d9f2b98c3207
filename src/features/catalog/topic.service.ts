import type { Db } from '../../db/database.js';
import { listTopics } from './topic.repository.js';

export function createTopicService({ db }: { db: Db }) {
  return { list: () => listTopics(db) };
}

export type TopicService = ReturnType<typeof createTopicService>;
