import path from 'node:path';
import cookieParser from 'cookie-parser';
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { Config } from './config.js';
import { buildOpenApi, mountRoutes } from './http/api-route.js';
import { authenticate } from './http/authenticate.js';
import { errorHandler, notFound } from './http/error-handler.js';
import { createFileReader, createMultipartReader, type FileReader } from './http/multipart.js';
import { perMinuteLimit, securityHeaders } from './http/security.js';
import { sessions, verifyCsrf } from './http/session.js';
import type { Logger } from './logger.js';
import { projectRoot } from './paths.js';
import { adminPages } from './features/accounts/admin.pages.js';
import { authRoutes } from './features/accounts/auth.routes.js';
import { compliancePages } from './features/compliance/compliance.pages.js';
import { complianceRoutes } from './features/compliance/compliance.routes.js';
import { documentRoutes } from './features/catalog/documents.routes.js';
import { versionRoutes } from './features/catalog/versions.routes.js';
import { catalogRoutes } from './features/catalogs/catalogs.routes.js';
import { interpretationRoutes } from './features/catalog/interpretations.routes.js';
import { organRoutes } from './features/catalog/organs.routes.js';
import { feedRoutes } from './features/catalog/feeds.pages.js';
import { pageRoutes } from './features/catalog/public.pages.js';
import { versionPages } from './features/catalog/versions.pages.js';
import { versionStaffPages } from './features/catalog/versions-staff.pages.js';
import { catalogPages } from './features/catalogs/catalogs.pages.js';
import { reportPages } from './features/article20/reports.pages.js';
import { reportRoutes } from './features/article20/reports.routes.js';
import { searchPages } from './features/search/search.pages.js';
import { searchRoutes } from './features/search/search.routes.js';
import { staffRoutes } from './features/accounts/staff.pages.js';
import { topicRoutes } from './features/catalog/topics.routes.js';
import { uploadRoutes } from './features/intake/uploads.routes.js';
import { userRoutes } from './features/accounts/users.routes.js';
import { workspacePages } from './features/catalog/workspace.pages.js';
import { annualReportRoutes } from './features/annual-report/annual-report.routes.js';
import { annualReportPages } from './features/annual-report/annual-report.pages.js';
import type { Services } from './services.js';

export interface AppDeps {
  config: Config;
  services: Services;
  logger: Logger;
}

/** The Express app without listen(): main.ts serves it, supertest drives it. */
export function createApp({ config, services, logger }: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('view engine', 'ejs');
  app.set('views', path.join(projectRoot, 'views'));
  app.set('query parser', 'simple');

  app.use(securityHeaders());
  app.use(requestLog(logger));
  app.get('/healthz', async (_req, res) => {
    const health = await services.health.check();
    res.status(health.status === 'ok' ? 200 : 503).json(health);
  });
  // What is not a file falls through to the one Chinese 404 page at the end, rendered with the locals
  // every page has (a static error of its own would be rendered without them, as a 500).
  app.use('/static', express.static(path.join(projectRoot, 'public'), { maxAge: '1h', index: false, redirect: false }));

  const edge: Edge = {
    readImportFile: createFileReader(config.maxUploadBytes),
    readUpload: createMultipartReader(config.maxUploadBytes),
    signInLimit: perMinuteLimit(config.rateLimits.signInPerMinute, '登录尝试过于频繁，请稍后再试', services.rateLimits.store('signin:')),
  };
  const { router: api, routes } = apiRouter(config, services, edge);
  // Tests walk every declared route (the authorization matrix), so they cover routes added later too.
  app.locals['apiRoutes'] = routes;
  app.use('/api/v1', api);
  app.use(htmlRouter(config, services, edge));
  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

/** What both the API and the pages read requests with. */
interface Edge {
  readImportFile: FileReader;
  readUpload: (req: Request, res: Response) => Promise<unknown>;
  signInLimit: RequestHandler;
}

function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.debug(
        { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 },
        'request',
      );
    });
    next();
  };
}

/** JSON under /api/v1: every route declared once, mounted and published as OpenAPI from the same table. */
function apiRouter(config: Config, services: Services, edge: Edge) {
  const api = express.Router();
  api.use(perMinuteLimit(config.rateLimits.apiPerMinute, '请求过于频繁，请稍后再试', services.rateLimits.store('api:')));
  api.post('/auth/token', edge.signInLimit);
  api.use(express.json({ limit: config.maxJsonBytes, strict: true }));
  api.use(authenticate(services.auth));
  const routes = [
    ...authRoutes(services.auth),
    ...userRoutes(services.users, services.audit),
    ...organRoutes(services.organs),
    ...topicRoutes(services.topics),
    ...documentRoutes(services.documents, services.versions),
    ...versionRoutes(services.versions),
    ...catalogRoutes(services.catalogs),
    ...uploadRoutes(services.documents, services.suggestions),
    ...interpretationRoutes(services.interpretations),
    ...searchRoutes(services.search),
    ...reportRoutes(services.reports, services.imports, edge.readImportFile),
    ...complianceRoutes(services.compliance, services.expiryReviews),
    ...annualReportRoutes(services.annualReports, services.registers, edge.readImportFile),
  ];
  const openApi = buildOpenApi(routes, { title: '规范性文件库 API', version: '1' }, '/api/v1');
  api.get('/openapi.json', (_req, res) => {
    res.json(openApi);
  });
  mountRoutes(api, routes, { multipart: edge.readUpload });
  api.use(notFound);
  return { router: api, routes };
}

/** The HTML side: forms, cookies, sessions; every unsafe request carries the CSRF token. */
function htmlRouter(config: Config, services: Services, edge: Edge) {
  const { clock, documents, interpretations, organs, topics, browse } = services;
  const html = express.Router();
  html.use(cookieParser());
  html.use(express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 200 }));
  html.use(sessions(services.auth));
  html.post('/staff/login', edge.signInLimit);
  html.use(verifyCsrf);
  html.use(staffRoutes(services.auth));
  html.use(compliancePages(services.compliance, services.expiryReviews, organs));
  html.use(adminPages(services.users, services.audit));
  html.use(workspacePages({ documents, interpretations, organs, topics, suggestions: services.suggestions, readingProgress: services.readingProgress, clock }, edge.readUpload));
  html.use(reportPages(services.reports, services.imports, organs, edge.readImportFile));
  html.use(annualReportPages(services.annualReports, services.registers, organs, edge.readImportFile));
  html.use(feedRoutes({ clock, documents, browse }, config));
  html.use(searchPages(services.search));
  html.use(versionStaffPages({ versions: services.versions }));
  html.use(versionPages({ clock, versions: services.versions }));
  html.use(catalogPages({ catalogs: services.catalogs, organs }));
  html.use(pageRoutes({ clock, documents, interpretations, browse, versions: services.versions }));
  return html;
}
