import { loadConfig } from '../src/config.js';
import { createLifecycle } from '../src/lifecycle.js';
import { createLogger } from '../src/logger.js';
import { openDatabase } from '../src/platform/infrastructure.js';
import { createMeiliClient } from '../src/platform/meili.js';
import { indexNames } from '../src/services/search-index.js';

const config = loadConfig({ DATA_DIR: '/work/bench30k', LOG_LEVEL: 'warn', MEILI_INDEX_PREFIX: 'bench_' });
const logger = createLogger('warn');
const lifecycle = createLifecycle(logger);
const { infra } = await openDatabase(config, logger, lifecycle, { search: true, maxConnections: 2 });
const client = createMeiliClient(infra.meiliUrl, infra.meiliKey);
const uid = indexNames(client, config.meili.indexPrefix).search;
const Q = ['规范性文件', '营商环境', '行政处罚', '食品安全', '环境保护', '个人信息保护', '税收征收管理', '安全生产责任', '未成年人保护', '城乡规划',
  '劳动合同', '知识产权', '社会保险', '突发事件应对', '政府信息公开', '消防安全', '农村土地承包', '数据安全', '乡村振兴', '养老服务'];
const today = 20261129;
const FACETS = ['type', 'kind', 'organ_ids', 'topics', 'year'];
const variants: Record<string, (q: string) => Promise<unknown>> = JSON.parse('{}');
const s = (q: string, extra: object) => client.index(uid).search(q, { limit: 20, attributesToRetrieve: ['type', 'ref_id'], ...extra });
variants.plain = (q) => s(q, {});
variants.freq = (q) => s(q, { matchingStrategy: 'frequency' });
variants.freq_pub = (q) => s(q, { matchingStrategy: 'frequency', filter: [`published_on <= ${today}`] });
variants.freq_pub_facets = (q) => s(q, { matchingStrategy: 'frequency', filter: [`published_on <= ${today}`], facets: FACETS });
variants.facets_only = (q) => s(q, { matchingStrategy: 'frequency', facets: FACETS });
variants.facets_status = (q) => s(q, { matchingStrategy: 'frequency', facets: [...FACETS, 'kind'] });
variants.freq_pub_facets_head = (q) => s(q, { matchingStrategy: 'frequency', filter: [`published_on <= ${today}`], facets: FACETS, attributesToRetrieve: ['type', 'ref_id', 'head'] });
variants.count_expired = (q) => s(q, { matchingStrategy: 'frequency', limit: 0, facets: ['type'], filter: [`published_on <= ${today}`, `type = "document" AND published_on <= ${today} AND NOT repealed_on <= ${today} AND expires_on < ${today}`] });
variants.empty_filter = (q) => s(q, { matchingStrategy: 'frequency', limit: 100, filter: [`published_on <= ${today}`, `repealed_on > 99990000`] });
variants.empty_filter_or = (q) => s(q, { matchingStrategy: 'frequency', limit: 100, filter: [`published_on <= ${today}`, `repealed_on > 99990000 OR expires_on > 99990000`] });
const N = 5;
const out: Record<string, number> = {};
for (const [name, fn] of Object.entries(variants)) {
  const times: number[] = [];
  for (let r = 0; r < N; r++) for (const q of Q) { const t = performance.now(); await fn(q); if (r > 0) times.push(performance.now() - t); }
  times.sort((a, b) => a - b);
  out[name] = +times[Math.floor(times.length / 2)]!.toFixed(2);
}
console.log(JSON.stringify(out, null, 1));
await lifecycle.shutdown();
