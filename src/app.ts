import path from 'node:path';
import express, { type Express } from 'express';
import type { Config } from './config.js';
import { buildOpenApi, mountRoutes } from './http/api-route.js';
import { authenticate } from './http/authenticate.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { createMultipartReader } from './http/multipart.js';
import type { Logger } from './logger.js';
import { projectRoot } from './paths.js';
import { authRoutes } from './routes/auth.routes.js';
import { documentRoutes } from './routes/documents.routes.js';
import { interpretationRoutes } from './routes/interpretations.routes.js';
import { organRoutes } from './routes/organs.routes.js';
import { pageRoutes } from './routes/pages.routes.js';
import { topicRoutes } from './routes/topics.routes.js';
import type { Services } from './services/index.js';

export interface AppDeps {
  config: Config;
  services: Services;
  logger: Logger;
}

/** The Express app without listen(): main.ts serves it, supertest drives it. */
export function createApp({ config, services, logger }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.set('view engine', 'ejs');
  app.set('views', path.join(projectRoot, 'views'));
  app.set('query parser', 'simple');

  app.use((req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.debug(
        { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        'request',
      );
    });
    next();
  });

  app.get('/healthz', async (_req, res) => {
    const health = await services.health.check();
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });

  app.use('/static', express.static(path.join(projectRoot, 'public'), { maxAge: '1h', fallthrough: false }));

  const api = express.Router();
  api.use(express.json({ limit: config.maxJsonBytes, strict: true }));
  api.use(authenticate(services.auth));
  const routes = [
    ...authRoutes(services.auth),
    ...organRoutes(services.organs),
    ...topicRoutes(services.topics),
    ...documentRoutes(services.documents),
    ...interpretationRoutes(services.interpretations),
  ];
  const openApi = buildOpenApi(routes, { title: '规范性文件库 API', version: '1' }, '/api/v1');
  api.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  mountRoutes(api, routes, { multipart: createMultipartReader(config.maxUploadBytes) });
  api.use(notFound);
  app.use('/api/v1', api);

  app.use(pageRoutes(services));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
