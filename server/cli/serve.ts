/**
 * `endcue serve`: the HTTP API with its SQLite cache and background analyses.
 * Flags override ENDCUE_* env vars, which override the zero-config defaults.
 */
import { Command, Option } from 'commander';
import type { ServerConfig } from '../config.js';
import { parseTrustProxy } from '../http/middleware/trust-proxy.js';
import { startServer } from '../http/start.js';

interface ServeFlags {
  port?: string;
  host?: string;
  dataDir?: string;
  mediaRoot?: string[];
  allowedHost?: string[];
  allowPrivateNetworks?: boolean;
  catalog?: string;
  concurrency?: string;
  cors?: string;
  logLevel?: string;
  trustProxy?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function flagsToConfig(flags: ServeFlags): Partial<ServerConfig> {
  const out: Partial<ServerConfig> = {};
  if (flags.port !== undefined) out.port = Number(flags.port);
  if (flags.host !== undefined) out.host = flags.host;
  if (flags.dataDir !== undefined) out.dataDir = flags.dataDir;
  if (flags.mediaRoot?.length) out.mediaRoots = flags.mediaRoot.flatMap((root) => root.split(':'));
  if (flags.allowedHost?.length)
    out.allowedHosts = flags.allowedHost.flatMap((host) => host.split(','));
  if (flags.allowPrivateNetworks) out.allowPrivateNetworks = true;
  if (flags.catalog !== undefined) out.catalog = flags.catalog;
  if (flags.concurrency !== undefined) out.concurrency = Number(flags.concurrency);
  if (flags.cors !== undefined) {
    out.cors = { origins: flags.cors === '*' ? '*' : flags.cors.split(',').filter(Boolean) };
  }
  if (flags.logLevel !== undefined) out.logLevel = flags.logLevel;
  if (flags.trustProxy !== undefined) out.trustProxy = parseTrustProxy(flags.trustProxy);
  return out;
}

/** `--log-level`, shared by the commands that log (pino levels). */
export function logLevelOption(): Option {
  return new Option('--log-level <level>', 'log level (env ENDCUE_LOG_LEVEL)').choices([
    'fatal',
    'error',
    'warn',
    'info',
    'debug',
    'trace',
    'silent',
  ]);
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('Serve credits times over HTTP; analyses run in the background and are cached.')
    .option('-p, --port <port>', 'port (env ENDCUE_PORT, default 8080)')
    .option('--host <host>', 'interface (env ENDCUE_HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'SQLite data dir (env ENDCUE_DATA_DIR, default ./data)')
    .option(
      '--media-root <dir>',
      'media root, repeatable (env ENDCUE_MEDIA_ROOTS, colon-separated)',
      collect,
    )
    .option(
      '--allowed-host <host>',
      'host URL sources may use, repeatable (env ENDCUE_ALLOWED_HOSTS)',
      collect,
    )
    .option(
      '--allow-private-networks',
      'allow URL sources on loopback/private addresses (env ENDCUE_ALLOW_PRIVATE_NETWORKS=1)',
    )
    .option('--catalog <file>', 'catalog file, JSON or YAML, watched (env ENDCUE_CATALOG)')
    .option('--concurrency <n>', 'analyses at once (env ENDCUE_CONCURRENCY, default: cores)')
    .option(
      '--cors <origins>',
      "allowed origins, comma-separated, or '*' (env ENDCUE_CORS_ORIGINS, default '*')",
    )
    .option(
      '--trust-proxy <n|list>',
      'client address from X-Forwarded-For behind proxies: a hop count, or trusted proxy IPs/CIDRs/loopback (env ENDCUE_TRUST_PROXY, default 0 = never)',
    )
    .addOption(logLevelOption())
    .addHelpText(
      'after',
      '\nThe admin key is read from ENDCUE_ADMIN_KEY only (never a flag: it would show in `ps`).',
    )
    .action(async (flags: ServeFlags) => {
      const server = await startServer({ ...flagsToConfig(flags), env: process.env });
      process.stdout.write(`EndCue server on ${server.url} (data: ${server.config.dataDir})\n`);
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          process.exit(1); // second Ctrl-C: give up waiting
        }
        stopping = true;
        server.logger.info({ signal }, 'shutting down');
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            server.logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
