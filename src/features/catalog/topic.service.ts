import type { Db } from '../../db/database.js';
import { listTopics } from './topic.repository.js';

/** The topic list, for other features' suggestions and forms. */
export { listTopics } from './topic.repository.js';

export function createTopicService({ db }: { db: Db }) {
  return { list: () => listTopics(db) };
}

export type TopicService = ReturnType<typeof createTopicService>;
