// createApp(deps) builds the Yoga instance: schema, context, security plugins and routes. It never listens.
import { createYoga, maskError, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError } from 'graphql';
import type { Config } from './config.ts';
import { createRequestContext, type Clock, type RequestContext } from './context.ts';
import type { Database } from './db/database.ts';
import { CredenceError } from './errors.ts';
import { schema } from './graphql/schema.ts';
import { armorPlugin, bodyLimitPlugin } from './http/security.ts';
import { routesPlugin } from './http/routes.ts';
import { credentialRoutesPlugin } from './http/credential-routes.ts';
import { serviceSigningKey, type TrustReportSource } from './credentials/credential.service.ts';
import { didWebFromUrl } from './identity/did-web.ts';
import type { IssuerKey } from './identity/issuer-key.ts';
import { silentLogger, type Logger } from './logger.ts';
import { createServices, type Services } from './services.ts';

export interface AppDeps {
  config: Config;
  database: Database;
  issuerKey: IssuerKey;
  clock?: Clock;
  logger?: Logger;
  /** Trust reports for reputation credentials; the trust service's own unless given (tests inject fixed ones). */
  trustReports?: TrustReportSource;
}

export interface App {
  yoga: YogaServerInstance<Record<string, unknown>, RequestContext>;
  services: Services;
  serviceDid: string;
  clock: Clock;
}

export async function createApp(deps: AppDeps): Promise<App> {
  const clock = deps.clock ?? (() => new Date());
  const logger = deps.logger ?? silentLogger;
  const serviceDid = didWebFromUrl(deps.config.publicUrl);
  const services = createServices(deps.database.db, clock, {
    credentials: {
      serviceDid,
      publicUrl: deps.config.publicUrl,
      signingKey: serviceSigningKey(deps.issuerKey, serviceDid),
      trustReports: deps.trustReports,
    },
  });
  await services.issuerKeys.rememberRetired(deps.issuerKey.retired ?? []);
  await services.issuerKeys.activate(deps.issuerKey.keyId, deps.issuerKey.publicKeyMultibase, clock());
  await services.credentials.ensureStatusList(clock());

  const contextDeps = {
    services,
    clock,
    serviceDid,
    publicUrl: deps.config.publicUrl,
    adminDids: deps.config.adminDids,
  };

  const yoga = createYoga<Record<string, unknown>, RequestContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: { title: 'Credence GraphiQL' },
    logging: logger,
    context: ({ request }) => createRequestContext(contextDeps, request.headers.get('authorization')),
    maskedErrors: {
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof CredenceError) {
          const graphQLError = error instanceof GraphQLError ? error : undefined;
          return new GraphQLError(original.message, {
            nodes: graphQLError?.nodes ?? null,
            path: graphQLError?.path ?? null,
            extensions: { code: original.code },
          });
        }
        if (!(error instanceof GraphQLError) || error.originalError) {
          logger.error('unexpected error', { error: error instanceof Error ? error.message : String(error) });
        }
        return maskError(error, message, isDev);
      },
    },
    plugins: [
      bodyLimitPlugin(deps.config.maxBodyBytes),
      routesPlugin({ services, serviceDid, ping: () => deps.database.ping() }),
      credentialRoutesPlugin({ statusList: (listId) => services.credentials.statusList(listId) }),
      armorPlugin(),
    ],
  });

  return { yoga, services, serviceDid, clock };
}
